//! What scrubbing removes and what it keeps, as tables.

use super::*;

fn scrub(text: &str) -> String {
    scrub_text(text, &ScrubConfig::default())
}

fn check(cases: &[(&str, &str)], config: &ScrubConfig) {
    let mut failures = Vec::new();
    for (input, expected) in cases {
        let got = scrub_text(input, config);
        if got != *expected {
            failures.push(format!(
                "  {input:?}\n    got      {got:?}\n    expected {expected:?}"
            ));
        }
        assert_eq!(scrub_text(&got, config), got, "not idempotent on {input:?}");
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn secrets_are_removed() {
    let cases = [
        (
            "https://bob:hunter2@example.com/x",
            "https://[redacted]@example.com/x",
        ),
        (
            "https://example.com/cb?code=abc123&state=ok&q=ok",
            "https://example.com/cb?code=[redacted]&state=ok&q=ok",
        ),
        (
            "/reset?token=9f8e7d&page=2",
            "/reset?token=[redacted]&page=2",
        ),
        (
            "?access_token=abc&accessToken=def&api-key=ghi",
            "?access_token=[redacted]&accessToken=[redacted]&api-key=[redacted]",
        ),
        (
            "Authorization: Bearer abcdef123456",
            "Authorization: [redacted]",
        ),
        (
            "Authorization: Basic dXNlcjpwYXNz",
            "Authorization: [redacted]",
        ),
        (
            "curl -H 'Bearer abcdefgh12345678'",
            "curl -H 'Bearer [token]'",
        ),
        (
            "my password: hunter2 thanks",
            "my password: [redacted] thanks",
        ),
        ("password = hunter2", "password = [redacted]"),
        ("PASSWORD=hunter2 next", "PASSWORD=[redacted] next"),
        ("secret = s3cr3t!", "secret = [redacted]"),
        ("token : abc.def", "token : [redacted]"),
        ("api_key = 'AbC123'", "api_key = '[redacted]'"),
        (
            "export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI",
            "export AWS_SECRET_ACCESS_KEY=[redacted]",
        ),
        (
            r#"{"password":"p@ss w0rd","user":"x"}"#,
            r#"{"password":"[redacted]","user":"x"}"#,
        ),
        (
            r#"{"password": "a\"b c", "user": "x"}"#,
            r#"{"password": "[redacted]", "user": "x"}"#,
        ),
        (r#"{"api_key": "k-123"}"#, r#"{"api_key": "[redacted]"}"#),
        (
            "password%3Dhunter2%26page%3D2",
            "password%3D[redacted]%26page%3D2",
        ),
        ("password%253Dhunter2", "password%253D[redacted]"),
        (
            "next=%2Flogin%3Ftoken%3Dabc123%26x%3D1",
            "next=%2Flogin%3Ftoken%3D[redacted]%26x%3D1",
        ),
        (
            "mail me at jane.doe+help@example.co.uk.",
            "mail me at [email].",
        ),
        ("/users/jane%40example.com/orders", "/users/[email]/orders"),
        (
            "card 4111 1111 1111 1111 exp 12/29",
            "card [card] exp 12/29",
        ),
        ("card 4111-1111-1111-1111", "card [card]"),
        ("amex 378282246310005", "amex [card]"),
        ("amex 3782 822463 10005", "amex [card]"),
        (
            "IBAN DE89 3704 0044 0532 0130 00 please",
            "IBAN [iban] please",
        ),
        ("iban GB82WEST12345698765432", "iban [iban]"),
        ("ssn 123-45-6789", "ssn [ssn]"),
        (
            "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U ok",
            "jwt [jwt] ok",
        ),
        ("key sk_live_4eC39HqLyjWDarjtT1zdp7dc", "key [token]"),
        (
            "openai sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8t.",
            "openai [token].",
        ),
        (
            "anthropic sk-ant-api03-AbCdEf0123456789xyz",
            "anthropic [token]",
        ),
        ("aws AKIAIOSFODNN7EXAMPLE here", "aws [token] here"),
        ("temp ASIAY34FZKBOKMUTVV7A", "temp [token]"),
        (
            "maps AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe",
            "maps [token]",
        ),
        ("gh ghp_16C7e42F292c6912E7710c838347Ae178B4a", "gh [token]"),
        ("slack xoxb-2634-0123456789-AbCdEf", "slack [token]"),
        ("slack xoxp-1234567890-abcdef", "slack [token]"),
        (
            "key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7\nabc+/=\n-----END RSA PRIVATE KEY-----\nthanks",
            "key:\n[private key]\nthanks",
        ),
        (
            "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC",
            "[private key]",
        ),
        (
            "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----",
            "[private key]",
        ),
        (
            "at /home/jane/app/main.rs:10",
            "at /home/[user]/app/main.rs:10",
        ),
        (
            "file:///Users/Jane.Doe/Desktop/x.pdf",
            "file:///Users/[user]/Desktop/x.pdf",
        ),
        (
            r"C:\Users\jdoe\AppData\x.log",
            r"C:\Users\[user]\AppData\x.log",
        ),
        (
            r#"{"path":"C:\\Users\\jdoe\\x"}"#,
            r#"{"path":"C:\\Users\\[user]\\x"}"#,
        ),
    ];
    check(&cases, &ScrubConfig::default());
}

#[test]
fn look_alikes_are_kept() {
    let benign = [
        "https://shop.example/search?q=ok&page=2&sort=price",
        "order 123456 shipped, order number 4000-1234",
        "order #4111111111111112 and invoice INV-2024-000123",
        "4111 1111 1111 1112 is not a card",
        "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16",
        "at 1700000000000 the request failed with code: E502",
        "error code: 500 at 10:30:15, retry in 2s",
        "released 2024-05-01, shipped 2024-05-03T10:30:00Z",
        "version 1.2.3 and v10.4.1-beta, build 2024.05.01",
        "author=jane&keyboard=azerty",
        "SSN-like 000-12-3456 and 666-12-3456 are invalid",
        "DE00 1234 5678 9012 3456 78 is not an IBAN",
        "see https://example.com/path#section",
        "request 7f9c2b1e-55aa-4e1f-9a0b-1234567890ab failed",
        "skills: sk-learn, task-runner and ghp_short, file sk-2024-annual-report-final.pdf",
        "the API key is set in settings (key rotation is monthly)",
        "server at 10.0.0.1 answered 502",
        "/home/ is empty; see /users for the list",
        "https://shop.example/home/jane/orders and /users/42/settings",
        "email me@ later, or at @support",
        "no secrets here: hello world",
        "costs 12.50 EUR; ratio 3:2; 100% sure; 50%off",
        "pk_live_51Habcdefghijklmnop is a publishable key",
    ];
    let cases: Vec<(&str, &str)> = benign.iter().map(|text| (*text, *text)).collect();
    check(&cases, &ScrubConfig::default());
}

#[test]
fn optional_scanners_follow_the_settings() {
    let strict = ScrubConfig {
        redact_emails: true,
        redact_ip_addresses: true,
        redact_home_directories: true,
        redact_uuids: true,
        extra_sensitive_keys: Vec::new(),
    };
    check(
        &[
            ("server at 10.0.0.1 answered", "server at [ip] answered"),
            ("from 192.168.1.254:8080", "from [ip]:8080"),
            ("client 2001:db8::ff00:42:8329 left", "client [ip] left"),
            ("ll fe80:0:0:0:202:b3ff:fe1e:8329", "ll [ip]"),
            (
                "version 1.2.3 and 999.1.1.1 kept",
                "version 1.2.3 and 999.1.1.1 kept",
            ),
            ("at 10:30:15 and std::vec", "at 10:30:15 and std::vec"),
            (
                "request 7f9c2b1e-55aa-4e1f-9a0b-1234567890ab failed",
                "request [uuid] failed",
            ),
        ],
        &strict,
    );
    let lenient = ScrubConfig {
        redact_emails: false,
        redact_home_directories: false,
        ..ScrubConfig::default()
    };
    check(
        &[
            ("write to jane@example.com", "write to jane@example.com"),
            ("at /home/jane/app", "at /home/jane/app"),
            ("password = x1", "password = [redacted]"),
        ],
        &lenient,
    );
}

#[test]
fn extra_keys_and_attributes() {
    let config = ScrubConfig {
        extra_sensitive_keys: vec!["tenant_secret_id".into(), "internal-ref".into()],
        ..ScrubConfig::default()
    };
    assert_eq!(
        scrub_text("internal_ref=42&x=1", &config),
        "internal_ref=[redacted]&x=1"
    );
    assert_eq!(scrub_attribute("Session-Id", "abc", &config), "[redacted]");
    assert_eq!(
        scrub_attribute("plan", "pro for bob@example.com", &config),
        "pro for [email]"
    );
}

#[test]
fn scrubbing_is_idempotent_on_examples() {
    let text = "https://u:p@x.io/?token=a&q=ok Bearer abcdefgh1234 bob@x.io 4111111111111111 123-45-6789 password%3Dx";
    let once = scrub(text);
    assert_eq!(scrub(&once), once);
}

#[test]
fn non_ascii_text_is_kept_around_findings() {
    assert_eq!(
        scrub("Grüße, mein Passwort: geheim — danke, jürgen@example.de"),
        "Grüße, mein Passwort: [redacted] — danke, [email]"
    );
    assert_eq!(scrub("kartë 4111111111111111 ✓"), "kartë [card] ✓");
}
