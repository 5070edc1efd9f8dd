//! Drops exports the widget never calls from a wasm module, so `wasm-opt` can
//! remove the code behind them, and their classes from the glue. Leptos pulls
//! in `wasm-streams` (through its server functions, which the widget does not
//! use), and its `#[wasm_bindgen]` classes are exported, which would keep their
//! code alive.

use anyhow::{Context, bail};

/// Exports whose name starts with one of these are dropped: `wasm-streams`'
/// stream adapters, never constructed by the widget or its glue.
pub const UNUSED_EXPORT_PREFIXES: &[&str] = &["intounderlying", "__wbg_intounderlying"];

/// The glue classes of those exports.
pub const UNUSED_GLUE_CLASSES: &[&str] = &[
    "IntoUnderlyingByteSource",
    "IntoUnderlyingSink",
    "IntoUnderlyingSource",
];

/// `glue` (wasm-bindgen's JS, before minifying) without the classes named, nor
/// their finalization registries. A class that is not there is skipped; one
/// whose end is not where wasm-bindgen writes it is an error.
pub fn drop_glue_classes(glue: &str, classes: &[&str]) -> anyhow::Result<String> {
    let mut out = glue.to_owned();
    for class in classes {
        let start_mark = format!("export class {class} {{");
        let Some(start) = out.find(&start_mark) else {
            continue;
        };
        let end_mark = format!(
            "if (Symbol.dispose) {class}.prototype[Symbol.dispose] = {class}.prototype.free;\n"
        );
        let end = out[start..]
            .find(&end_mark)
            .map(|at| start + at + end_mark.len())
            .with_context(|| format!("the glue's class {class} does not end as expected"))?;
        out.replace_range(start..end, "");
        let registry = format!("const {class}Finalization = ");
        if let Some(at) = out.find(&registry) {
            let end = out[at..]
                .find(");\n")
                .map(|e| at + e + 3)
                .with_context(|| {
                    format!("the glue's {class}Finalization does not end as expected")
                })?;
            out.replace_range(at..end, "");
        }
        if out.contains(class) {
            bail!("the glue still uses {class} after dropping it");
        }
    }
    Ok(out)
}

/// The export section id.
const EXPORT_SECTION: u8 = 7;

/// `module` without the exports `unused` names; every other byte is kept.
pub fn drop_exports(module: &[u8], unused: impl Fn(&str) -> bool) -> anyhow::Result<Vec<u8>> {
    if module.len() < 8 || &module[..4] != b"\0asm" {
        bail!("not a wasm module");
    }
    let mut out = module[..8].to_vec();
    let mut at = 8;
    while at < module.len() {
        let id = module[at];
        let (size, body_at) = leb(module, at + 1)?;
        let end = body_at
            .checked_add(size)
            .filter(|end| *end <= module.len())
            .context("a section runs past the end of the module")?;
        if id == EXPORT_SECTION {
            let body = exports_without(&module[body_at..end], &unused)?;
            out.push(EXPORT_SECTION);
            write_leb(&mut out, body.len());
            out.extend_from_slice(&body);
        } else {
            out.extend_from_slice(&module[at..end]);
        }
        at = end;
    }
    Ok(out)
}

fn exports_without(section: &[u8], unused: &impl Fn(&str) -> bool) -> anyhow::Result<Vec<u8>> {
    let (count, mut at) = leb(section, 0)?;
    let mut kept = Vec::new();
    let mut kept_count = 0;
    for _ in 0..count {
        let start = at;
        let (name_len, name_at) = leb(section, at)?;
        let name_end = name_at + name_len;
        let name = std::str::from_utf8(section.get(name_at..name_end).context("export name")?)?;
        // Kind byte, then the index.
        let (_, end) = leb(section, name_end + 1)?;
        if !unused(name) {
            kept.extend_from_slice(&section[start..end]);
            kept_count += 1;
        }
        at = end;
    }
    let mut body = Vec::new();
    write_leb(&mut body, kept_count);
    body.extend_from_slice(&kept);
    Ok(body)
}

fn leb(bytes: &[u8], mut at: usize) -> anyhow::Result<(usize, usize)> {
    let mut value = 0usize;
    let mut shift = 0;
    loop {
        let byte = *bytes.get(at).context("a number runs past the end")?;
        at += 1;
        value |= usize::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok((value, at));
        }
        shift += 7;
        if shift > 28 {
            bail!("a number is too long");
        }
    }
}

fn write_leb(out: &mut Vec<u8>, mut value: usize) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// A module with a type section and an export section of `names` (function
    /// indexes 200 on, in order).
    fn module(names: &[&str]) -> Vec<u8> {
        let indexed: Vec<(&str, usize)> = names
            .iter()
            .enumerate()
            .map(|(i, n)| (*n, i + 200))
            .collect();
        module_with(&indexed)
    }

    fn module_with(exports: &[(&str, usize)]) -> Vec<u8> {
        let mut out = b"\0asm\x01\0\0\0".to_vec();
        out.extend_from_slice(&[1, 4, 1, 0x60, 0, 0]);
        let mut body = Vec::new();
        write_leb(&mut body, exports.len());
        for (name, index) in exports {
            write_leb(&mut body, name.len());
            body.extend_from_slice(name.as_bytes());
            body.push(0);
            write_leb(&mut body, *index);
        }
        out.push(EXPORT_SECTION);
        write_leb(&mut out, body.len());
        out.extend_from_slice(&body);
        out
    }

    #[test]
    fn only_the_unused_exports_are_dropped() {
        let unused = |name: &str| UNUSED_EXPORT_PREFIXES.iter().any(|p| name.starts_with(p));
        let before = module(&[
            "boot",
            "intounderlyingsource_pull",
            "__wbg_intounderlyingsink_free",
            "memory",
        ]);
        let after = drop_exports(&before, unused).unwrap();
        assert_eq!(after, module_with(&[("boot", 200), ("memory", 203)]));
        assert_eq!(drop_exports(&after, unused).unwrap(), after);
    }

    #[test]
    fn the_glue_loses_only_the_unused_classes() {
        let glue = "import x;\nexport class IntoUnderlyingSink {\n    free() { IntoUnderlyingSinkFinalization.unregister(this); }\n}\nif (Symbol.dispose) IntoUnderlyingSink.prototype[Symbol.dispose] = IntoUnderlyingSink.prototype.free;\n\nexport function boot() {}\nconst IntoUnderlyingSinkFinalization = (typeof FinalizationRegistry === 'undefined')\n    ? { register: () => {}, unregister: () => {} }\n    : new FinalizationRegistry(ptr => wasm.__wbg_intounderlyingsink_free(ptr, 1));\nconst kept = 1;\n";
        let out = drop_glue_classes(glue, UNUSED_GLUE_CLASSES).unwrap();
        assert_eq!(
            out,
            "import x;\n\nexport function boot() {}\nconst kept = 1;\n"
        );
    }

    #[test]
    fn a_truncated_module_is_an_error() {
        let whole = module(&["boot"]);
        assert!(drop_exports(&whole[..whole.len() - 2], |_| false).is_err());
    }
}
