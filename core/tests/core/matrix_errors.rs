//! Matrix errors name the key path, so an operator can find the mistake.

use crate::support::TIERS;
use waymark_core::matrix::{MatrixError, load_toml};

fn error_of(text: &str) -> String {
    match load_toml(text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(error) => error.to_string(),
    }
}

fn with_rule(rule: &str) -> String {
    format!("{TIERS}\n[[rules]]\nid = \"r\"\n{rule}\n")
}

#[test]
fn unknown_keys_are_rejected_with_their_path() {
    let cases = [
        ("version = 1\ncolour = \"red\"\n", "colour"),
        (
            &with_rule(
                "when.all = [{ open_at_tier = { tier = \"tier1\", for_at_least = \"4h\", extra = 1 } }]\nthen.action = \"offer_help\"",
            ),
            "rules[0].when.all[0]",
        ),
        (
            &with_rule(
                "when.all = [{ opened_at_tier = { tier = \"tier1\" } }]\nthen.action = \"offer_help\"",
            ),
            "rules[0].when.all[0]",
        ),
        (
            &with_rule(
                "when.all = [{ plan = { any = [\"x\"] } }]\nthen.action = \"escalate\"\nthen.priorty = \"high\"",
            ),
            "rules[0].then",
        ),
    ];
    for (text, path) in cases {
        let error = error_of(text);
        assert!(
            error.starts_with(path),
            "expected path {path}, got: {error}"
        );
    }
}

#[test]
fn type_errors_name_the_value() {
    let error = error_of(&with_rule(
        "when.all = [{ same_error_customers = { at_least = 3, within = \"2 hours\" } }]\nthen.action = \"offer_help\"",
    ));
    assert!(
        error.starts_with("rules[0].when.all[0].same_error_customers.within"),
        "{error}"
    );
    assert!(error.contains("not a duration"), "{error}");
    let error = error_of(&with_rule(
        "when.all = [{ plan = { any = [\"x\"] } }]\nthen.action = \"escalate\"\nthen.priority = \"asap\"",
    ));
    assert!(error.starts_with("rules[0].then.priority"), "{error}");
}

#[test]
fn validation_lists_every_problem_with_its_path() {
    let text = format!(
        "{TIERS}\n[[teams]]\nid = \"legal\"\nname = \"Legal\"\ntier = \"tier9\"\n\
         [[rules]]\nid = \"a\"\nwhen.all = [{{ same_error_customers = {{ at_least = 0, within = \"0s\" }} }}]\n\
         then.action = \"escalate\"\nthen.to_tier = \"tier7\"\n\
         [[rules]]\nid = \"a\"\nthen.action = \"early_warning\"\nthen.notice = \"{{ack_sla}}\"\n\
         [rules.when]\nany = [{{ open_at_tier = {{ tier = \"nope\", for_at_least = \"1h\" }} }}]\n"
    );
    let Err(MatrixError::Invalid(problems)) = load_toml(&text) else {
        panic!("expected validation problems");
    };
    let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "teams[1].tier",
            "rules[0].when.all[0].same_error_customers.at_least",
            "rules[0].when.all[0].same_error_customers.within",
            "rules[0].then.to_tier",
            "rules[1].id",
            "rules[1].when.any[0].open_at_tier.tier",
            "rules[1].then.next_step",
            "rules[1].then.notice",
        ]
    );
}

#[test]
fn unsupported_versions_and_empty_rules_are_refused() {
    assert!(error_of("version = 2\n").starts_with("version: unsupported version 2"));
    let error = error_of(&with_rule("when = {}\nthen.action = \"offer_help\""));
    assert!(
        error.starts_with("rules[0].when: needs at least one condition"),
        "{error}"
    );
    let error = error_of(&with_rule(
        "when.all = [{ plan = { any = [\"x\"] } }]\nthen.action = \"escalate\"",
    ));
    assert!(error.starts_with("rules[0].then.to_tier"), "{error}");
    let error = error_of(&with_rule(
        "when.all = [{ plan = { any = [\"x\"] } }]\nthen.action = \"escalate\"\nthen.to_tier = \"tier2\"\nthen.notice = \"{team_name}\"",
    ));
    assert!(error.starts_with("rules[0].then.notice"), "{error}");
}

#[test]
fn syntax_errors_carry_a_line() {
    let error = error_of("version = 1\n[[tiers]\n");
    assert!(error.contains("(line 2)"), "{error}");
}
