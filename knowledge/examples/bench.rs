//! In-process scale benchmark (no database): index build rate and suggest latency on
//! synthetic corpora generated from a dataset's vocabulary:
//! `cargo run --release -p waymark-knowledge --example bench -- knowledge/benches/data/stackfaq 10000 100000`.
//! `waymark eval bench` runs the same and adds PostgreSQL full-text search figures.

use std::path::PathBuf;

use waymark_knowledge::eval::{BENCH_INDEX_CONFIG, Dataset, bench_table, bench_waymark, synthetic};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut arguments = std::env::args().skip(1);
    let directory = arguments.next().map_or_else(
        || {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/benches/data/stackfaq"
            ))
        },
        PathBuf::from,
    );
    let sizes: Vec<usize> = arguments
        .map(|size| size.parse())
        .collect::<Result<_, _>>()?;
    let sizes = if sizes.is_empty() {
        vec![10_000, 100_000]
    } else {
        sizes
    };
    let dataset = Dataset::load(&directory)?;
    let mut figures = Vec::new();
    for size in sizes {
        let docs = synthetic::corpus(&dataset, size, 42);
        let index_directory =
            std::env::temp_dir().join(format!("waymark-bench-{}-{size}", std::process::id()));
        let _ = std::fs::remove_dir_all(&index_directory);
        figures.push(bench_waymark(
            &docs,
            &dataset,
            &index_directory,
            BENCH_INDEX_CONFIG,
        )?);
        std::fs::remove_dir_all(&index_directory)?;
        eprintln!("{size} documents done");
    }
    println!("{}", bench_table(&figures));
    Ok(())
}
