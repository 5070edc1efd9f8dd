//! Article Markdown, made safe: CommonMark (with tables and strikethrough) parsed by
//! `pulldown-cmark` into a tree of allow-listed elements. Raw HTML is kept as text,
//! images become their alt text, links keep only `http`, `https`, `mailto` and
//! relative targets, and nesting is capped. The server writes the tree as HTML
//! ([`to_html`], every text escaped); the console builds DOM nodes from it, so no
//! HTML string reaches the browser; the index gets its words ([`to_plain_text`]).
//!
//! Feature `markdown` (the server and the console; the widget leaves it off).

use pulldown_cmark::{Event, Options, Parser, Tag as MdTag, TagEnd};

/// The elements an article may contain: nothing outside this list is ever produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    /// Paragraph.
    P,
    /// Section heading (`#` and `##` in the source; the page has the title as `h1`).
    H2,
    /// Sub-heading (`###`).
    H3,
    /// Smaller headings (`####` and below).
    H4,
    /// Bulleted list.
    Ul,
    /// Numbered list.
    Ol,
    /// List item.
    Li,
    /// Quotation.
    Blockquote,
    /// Preformatted block (holds a `Code`).
    Pre,
    /// Code.
    Code,
    /// Emphasis.
    Em,
    /// Strong emphasis.
    Strong,
    /// Struck-through text.
    Del,
    /// A link (with a checked `href`).
    A,
    /// Line break.
    Br,
    /// Thematic break.
    Hr,
    /// Table.
    Table,
    /// Table head.
    Thead,
    /// Table body.
    Tbody,
    /// Table row.
    Tr,
    /// Header cell.
    Th,
    /// Cell.
    Td,
}

impl Tag {
    /// The HTML element name.
    pub fn name(self) -> &'static str {
        match self {
            Tag::P => "p",
            Tag::H2 => "h2",
            Tag::H3 => "h3",
            Tag::H4 => "h4",
            Tag::Ul => "ul",
            Tag::Ol => "ol",
            Tag::Li => "li",
            Tag::Blockquote => "blockquote",
            Tag::Pre => "pre",
            Tag::Code => "code",
            Tag::Em => "em",
            Tag::Strong => "strong",
            Tag::Del => "del",
            Tag::A => "a",
            Tag::Br => "br",
            Tag::Hr => "hr",
            Tag::Table => "table",
            Tag::Thead => "thead",
            Tag::Tbody => "tbody",
            Tag::Tr => "tr",
            Tag::Th => "th",
            Tag::Td => "td",
        }
    }

    fn is_void(self) -> bool {
        matches!(self, Tag::Br | Tag::Hr)
    }
}

/// One node of a rendered article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// Text, shown as it is (never parsed as markup).
    Text(String),
    /// An allow-listed element.
    Element {
        /// Which element.
        tag: Tag,
        /// The link target of an `A` (already checked), else `None`.
        href: Option<String>,
        /// Its content.
        children: Vec<Node>,
    },
}

/// Elements nested deeper than this are flattened into their parent, so rendering a
/// hostile document cannot recurse without bound.
pub const MAX_DEPTH: usize = 24;

/// Parses `markdown` into allow-listed nodes.
pub fn parse(markdown: &str) -> Vec<Node> {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut builder = Builder::default();
    let mut in_image = 0usize;
    for event in Parser::new_ext(markdown, options) {
        match event {
            Event::Start(MdTag::Image { .. }) => in_image += 1,
            Event::End(TagEnd::Image) => in_image = in_image.saturating_sub(1),
            Event::Start(tag) if in_image == 0 => builder.open(tag),
            Event::End(end) if in_image == 0 => builder.close(end),
            Event::Text(text)
            | Event::Html(text)
            | Event::InlineHtml(text)
            | Event::InlineMath(text)
            | Event::DisplayMath(text)
            | Event::FootnoteReference(text) => builder.text(&text),
            Event::Code(code) => {
                builder.push(Node::Element {
                    tag: Tag::Code,
                    href: None,
                    children: vec![Node::Text(code.into_string())],
                });
            }
            Event::SoftBreak => builder.text(if in_image == 0 { "\n" } else { " " }),
            Event::HardBreak if in_image == 0 => builder.push(element(Tag::Br)),
            Event::Rule if in_image == 0 => builder.push(element(Tag::Hr)),
            Event::TaskListMarker(done) => builder.text(if done { "[x] " } else { "[ ] " }),
            _ => {}
        }
    }
    builder.finish()
}

/// The nodes as HTML: allow-listed elements only, every text and attribute escaped.
pub fn to_html(nodes: &[Node]) -> String {
    let mut out = String::new();
    write_html(nodes, &mut out);
    out
}

/// `markdown` rendered safely as HTML.
pub fn render_html(markdown: &str) -> String {
    to_html(&parse(markdown))
}

/// The words of the nodes, blocks on their own lines (for search and snippets).
pub fn to_plain_text(nodes: &[Node]) -> String {
    let mut out = String::new();
    write_text(nodes, &mut out);
    let lines: Vec<&str> = out
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect();
    lines.join("\n")
}

/// Whether a link target is allowed: `http`, `https`, `mailto`, or relative (no scheme).
pub fn safe_href(target: &str) -> bool {
    let target = target.trim();
    if target.is_empty() || target.chars().any(char::is_control) {
        return false;
    }
    let scheme_end = target.find(':');
    let first_separator = target.find(['/', '?', '#']);
    match (scheme_end, first_separator) {
        // A colon after the first `/`, `?` or `#` is part of the path, not a scheme.
        (Some(colon), Some(separator)) if separator < colon => true,
        (Some(colon), _) => {
            let scheme = target[..colon].to_ascii_lowercase();
            matches!(scheme.as_str(), "http" | "https" | "mailto")
        }
        (None, _) => true,
    }
}

fn element(tag: Tag) -> Node {
    Node::Element {
        tag,
        href: None,
        children: Vec::new(),
    }
}

/// Open elements; `None` marks a source element that was dropped or flattened
/// (its children go to the parent).
#[derive(Default)]
struct Builder {
    roots: Vec<Node>,
    open: Vec<Option<Node>>,
    table_head: bool,
}

impl Builder {
    fn depth(&self) -> usize {
        self.open.iter().filter(|node| node.is_some()).count()
    }

    fn open(&mut self, tag: MdTag<'_>) {
        let mapped = match tag {
            MdTag::Paragraph => Some((Tag::P, None)),
            MdTag::Heading { level, .. } => Some((
                match level as usize {
                    1 | 2 => Tag::H2,
                    3 => Tag::H3,
                    _ => Tag::H4,
                },
                None,
            )),
            MdTag::BlockQuote(_) => Some((Tag::Blockquote, None)),
            MdTag::CodeBlock(_) => Some((Tag::Pre, None)),
            MdTag::List(Some(_)) => Some((Tag::Ol, None)),
            MdTag::List(None) => Some((Tag::Ul, None)),
            MdTag::Item => Some((Tag::Li, None)),
            MdTag::Emphasis => Some((Tag::Em, None)),
            MdTag::Strong => Some((Tag::Strong, None)),
            MdTag::Strikethrough => Some((Tag::Del, None)),
            MdTag::Link { dest_url, .. } => {
                safe_href(&dest_url).then(|| (Tag::A, Some(dest_url.trim().to_owned())))
            }
            MdTag::Table(_) => Some((Tag::Table, None)),
            MdTag::TableHead => {
                self.table_head = true;
                Some((Tag::Thead, None))
            }
            MdTag::TableRow => Some((Tag::Tr, None)),
            MdTag::TableCell => Some((if self.table_head { Tag::Th } else { Tag::Td }, None)),
            _ => None,
        };
        let node = mapped
            .filter(|_| self.depth() < MAX_DEPTH)
            .map(|(tag, href)| Node::Element {
                tag,
                href,
                children: Vec::new(),
            });
        // A table's body rows get a tbody of their own.
        if let Some(Node::Element { tag: Tag::Tr, .. }) = &node
            && !self.table_head
            && matches!(
                self.open.last(),
                Some(Some(Node::Element {
                    tag: Tag::Table,
                    ..
                }))
            )
        {
            self.open.push(Some(element(Tag::Tbody)));
        }
        // A header row's cells come straight inside the head in pulldown-cmark.
        if let Some(Node::Element { tag: Tag::Th, .. }) = &node
            && matches!(
                self.open.last(),
                Some(Some(Node::Element {
                    tag: Tag::Thead,
                    ..
                }))
            )
        {
            self.open.push(Some(element(Tag::Tr)));
        }
        self.open.push(node);
    }

    fn close(&mut self, end: TagEnd) {
        if end == TagEnd::TableHead {
            self.table_head = false;
            // The row opened for the head's cells.
            if matches!(
                self.open.last(),
                Some(Some(Node::Element { tag: Tag::Tr, .. }))
            ) {
                self.pop();
            }
        }
        if end == TagEnd::Table
            && matches!(
                self.open.last(),
                Some(Some(Node::Element {
                    tag: Tag::Tbody,
                    ..
                }))
            )
        {
            self.pop();
        }
        self.pop();
    }

    fn pop(&mut self) {
        if let Some(Some(node)) = self.open.pop() {
            self.push(node);
        }
    }

    fn push(&mut self, node: Node) {
        for open in self.open.iter_mut().rev() {
            if let Some(Node::Element { children, .. }) = open {
                children.push(node);
                return;
            }
        }
        self.roots.push(node);
    }

    fn text(&mut self, text: &str) {
        let target = self.open.iter_mut().rev().find_map(|open| match open {
            Some(Node::Element { children, .. }) => Some(children),
            _ => None,
        });
        let children = target.unwrap_or(&mut self.roots);
        if let Some(Node::Text(last)) = children.last_mut() {
            last.push_str(text);
        } else {
            children.push(Node::Text(text.to_owned()));
        }
    }

    fn finish(mut self) -> Vec<Node> {
        while !self.open.is_empty() {
            self.pop();
        }
        self.roots
    }
}

fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

fn write_html(nodes: &[Node], out: &mut String) {
    for node in nodes {
        match node {
            Node::Text(text) => escape(text, out),
            Node::Element {
                tag,
                href,
                children,
            } => {
                out.push('<');
                out.push_str(tag.name());
                if let Some(href) = href {
                    out.push_str(" href=\"");
                    escape(href, out);
                    out.push_str("\" rel=\"noopener noreferrer nofollow\"");
                }
                out.push('>');
                if tag.is_void() {
                    continue;
                }
                write_html(children, out);
                out.push_str("</");
                out.push_str(tag.name());
                out.push('>');
            }
        }
    }
}

fn write_text(nodes: &[Node], out: &mut String) {
    for node in nodes {
        match node {
            Node::Text(text) => out.push_str(text),
            Node::Element { tag, children, .. } => {
                let block = !matches!(
                    tag,
                    Tag::Code | Tag::Em | Tag::Strong | Tag::Del | Tag::A | Tag::Th | Tag::Td
                );
                write_text(children, out);
                if matches!(tag, Tag::Th | Tag::Td) {
                    out.push(' ');
                } else if block {
                    out.push('\n');
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(markdown: &str, expected: &str) {
        assert_eq!(render_html(markdown), expected, "{markdown:?}");
    }

    #[test]
    fn articles_render_as_allow_listed_html() {
        check(
            "## Fix\n\n1. Open **Settings**\n2. Press `Retry`\n",
            "<h2>Fix</h2><ol><li>Open <strong>Settings</strong></li><li>Press <code>Retry</code></li></ol>",
        );
        check("# Title", "<h2>Title</h2>");
        check("~~old~~ *new*", "<p><del>old</del> <em>new</em></p>");
        check("```\nlet a = 1 < 2;\n```", "<pre>let a = 1 &lt; 2;\n</pre>");
        check(
            "| a | b |\n|---|---|\n| 1 | 2 |",
            "<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td>1</td><td>2</td></tr></tbody></table>",
        );
    }

    #[test]
    fn markup_and_scripts_stay_text() {
        check(
            "<script>alert(1)</script>",
            "&lt;script&gt;alert(1)&lt;/script&gt;",
        );
        check(
            "Hi <img src=x onerror=alert(1)> there",
            "<p>Hi &lt;img src=x onerror=alert(1)&gt; there</p>",
        );
        check(
            "![x\" onerror=\"alert(1)](https://evil.test/a.png)",
            "<p>x&quot; onerror=&quot;alert(1)</p>",
        );
    }

    #[test]
    fn only_safe_link_targets_survive() {
        check(
            "[docs](https://acme.test/help?a=1&b=\"2\")",
            "<p><a href=\"https://acme.test/help?a=1&amp;b=&quot;2&quot;\" rel=\"noopener noreferrer nofollow\">docs</a></p>",
        );
        check("[x](javascript:alert(1))", "<p>x</p>");
        check("[x](JaVaScRiPt:alert(1))", "<p>x</p>");
        check("[x](data:text/html;base64,AAAA)", "<p>x</p>");
        check("[x](vbscript:msgbox)", "<p>x</p>");
        assert!(safe_href("/settings/billing"));
        assert!(safe_href("billing#retry"));
        assert!(safe_href("/a/b:c"));
        assert!(safe_href("mailto:help@acme.test"));
        assert!(!safe_href("java\tscript:alert(1)"));
        assert!(!safe_href(""));
    }

    #[test]
    fn hostile_nesting_is_flattened_not_recursed() {
        let deep = ">".repeat(10_000) + " deep";
        let nodes = parse(&deep);
        fn depth(nodes: &[Node]) -> usize {
            nodes
                .iter()
                .map(|node| match node {
                    Node::Text(_) => 0,
                    Node::Element { children, .. } => 1 + depth(children),
                })
                .max()
                .unwrap_or(0)
        }
        assert!(depth(&nodes) <= MAX_DEPTH);
        assert!(to_html(&nodes).contains("deep"));
    }

    #[test]
    fn plain_text_keeps_the_words_one_block_a_line() {
        let nodes = parse("## Cause\n\nThe **provider** timed out.\n\n- Retry\n- Wait");
        assert_eq!(
            to_plain_text(&nodes),
            "Cause\nThe provider timed out.\nRetry\nWait"
        );
    }
}
