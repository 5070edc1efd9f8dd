//! The outbound-target guard: webhooks, Slack, Jira and Linear URLs come from
//! agents, so a request must not reach the server's own network. Every address a
//! name resolves to (on every connection, redirects included) and every literal
//! address in a URL is checked; loopback, link-local, private and
//! unspecified/multicast addresses, and their `::ffff:`-mapped forms, are refused
//! unless the operator allows their class (`integrations.allow_targets`).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use crate::config::TargetClass;

/// What an address is, for the guard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressClass {
    /// Reachable on the internet.
    Public,
    /// A class an operator may allow.
    Restricted(TargetClass),
    /// Never a delivery target (unspecified, multicast, broadcast).
    Forbidden,
}

/// Classifies an address; `::ffff:a.b.c.d` is judged as `a.b.c.d`.
pub fn classify(ip: IpAddr) -> AddressClass {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => classify_v4(v4),
            None => classify_v6(v6),
        },
    }
}

fn classify_v4(ip: Ipv4Addr) -> AddressClass {
    let [a, b, ..] = ip.octets();
    if ip.is_unspecified() || ip.is_multicast() || ip.is_broadcast() || a == 0 {
        AddressClass::Forbidden
    } else if ip.is_loopback() {
        AddressClass::Restricted(TargetClass::Loopback)
    } else if ip.is_link_local() {
        AddressClass::Restricted(TargetClass::LinkLocal)
    } else if ip.is_private() || (a == 100 && (64..128).contains(&b)) || a >= 240 {
        AddressClass::Restricted(TargetClass::Private)
    } else {
        AddressClass::Public
    }
}

fn classify_v6(ip: Ipv6Addr) -> AddressClass {
    let first = ip.segments()[0];
    if ip.is_unspecified() || ip.is_multicast() {
        AddressClass::Forbidden
    } else if ip.is_loopback() {
        AddressClass::Restricted(TargetClass::Loopback)
    } else if first & 0xffc0 == 0xfe80 {
        AddressClass::Restricted(TargetClass::LinkLocal)
    } else if first & 0xfe00 == 0xfc00 {
        AddressClass::Restricted(TargetClass::Private)
    } else if let Some(v4) = ip.to_ipv4() {
        // IPv4-compatible (`::a.b.c.d`) forms are judged as IPv4.
        classify_v4(v4)
    } else {
        AddressClass::Public
    }
}

/// The guard with the operator's allowed classes.
#[derive(Debug, Clone, Default)]
pub struct TargetGuard {
    allowed: Vec<TargetClass>,
}

impl TargetGuard {
    /// A guard allowing these classes besides public addresses.
    pub fn new(allowed: &[TargetClass]) -> Self {
        Self {
            allowed: allowed.to_vec(),
        }
    }

    /// `Ok` when a request may go to `ip`; else why not.
    pub fn check(&self, ip: IpAddr) -> Result<(), String> {
        match classify(ip) {
            AddressClass::Public => Ok(()),
            AddressClass::Restricted(class) if self.allowed.contains(&class) => Ok(()),
            AddressClass::Restricted(class) => Err(format!(
                "refused target {ip}: {class:?} addresses are not allowed (integrations.allow_targets)"
            )),
            AddressClass::Forbidden => Err(format!("refused target {ip}: not a unicast address")),
        }
    }

    /// Checks a URL before a request: scheme http(s) and, for a literal
    /// address, the address itself (names are checked when they resolve).
    pub fn check_url(&self, url: &reqwest::Url) -> Result<(), String> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!("refused target {url}: only http and https"));
        }
        match url.host() {
            Some(url::Host::Ipv4(ip)) => self.check(IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => self.check(IpAddr::V6(ip)),
            Some(url::Host::Domain(_)) => Ok(()),
            None => Err(format!("refused target {url}: no host")),
        }
    }
}

/// A DNS resolver that drops refused addresses and fails when none is left.
#[derive(Debug, Clone)]
pub(crate) struct GuardedResolver {
    pub(crate) guard: Arc<TargetGuard>,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let guard = self.guard.clone();
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let resolved: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let mut refusals = Vec::new();
            let allowed: Vec<SocketAddr> = resolved
                .into_iter()
                .filter(|addr| match guard.check(addr.ip()) {
                    Ok(()) => true,
                    Err(why) => {
                        refusals.push(why);
                        false
                    }
                })
                .collect();
            if allowed.is_empty() {
                let why = refusals
                    .pop()
                    .unwrap_or_else(|| format!("`{host}` resolves to no address"));
                return Err(why.into());
            }
            let addrs: reqwest::dns::Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn refused(guard: &TargetGuard, text: &str) -> bool {
        guard.check(text.parse().unwrap()).is_err()
    }

    #[test]
    fn internal_addresses_and_their_mapped_forms_are_refused_by_default() {
        let guard = TargetGuard::default();
        for internal in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:10.0.0.1",
            "::",
            "224.0.0.1",
        ] {
            assert!(refused(&guard, internal), "{internal} should be refused");
        }
        for public in [
            "93.184.216.34",
            "2606:2800:220:1::1",
            "::ffff:93.184.216.34",
        ] {
            assert!(!refused(&guard, public), "{public} should be allowed");
        }
    }

    #[test]
    fn operator_allows_a_class_and_only_that_class() {
        let guard = TargetGuard::new(&[TargetClass::Loopback]);
        assert!(!refused(&guard, "127.0.0.1"));
        assert!(!refused(&guard, "::ffff:127.0.0.1"));
        assert!(refused(&guard, "10.0.0.1"));
        assert!(refused(&guard, "169.254.169.254"));
        let url: reqwest::Url = "http://[::ffff:a9fe:a9fe]/latest".parse().unwrap();
        assert!(guard.check_url(&url).is_err());
        let url: reqwest::Url = "file:///etc/passwd".parse().unwrap();
        assert!(guard.check_url(&url).is_err());
    }
}
