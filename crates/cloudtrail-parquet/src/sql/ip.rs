//! `--ip` as SQL: an address of a block anywhere in `sourceipaddress`'s comma-separated chain
//! (each element trimmed), as ctl matches it.
//!
//! An IPv4 block is a regular expression over the text (ctl reads decimal octets without
//! leading zeros). An IPv6 block is tested with Trino's `IPADDRESS` type where there is one
//! (Athena, Trino: exact); DuckDB (without its `inet` extension, which is not always at hand)
//! and Spark (which has no address type) expand each element to its 32 hex digits and match
//! the block's prefix of digits: every spelling of an address (`::` compression, leading
//! zeros, upper case) is read, an IPv4-mapped spelling such as `::ffff:192.0.2.1` is not.

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use super::Dialect;

/// Whether an element of the chain in `column` is an address of `net`.
pub fn in_chain(dialect: Dialect, column: &str, net: &IpNet) -> String {
    match net {
        IpNet::V4(v4) => dialect.regex_matches(column, &v4_regex(v4)),
        IpNet::V6(v6) => {
            let cidr = dialect.string(&net.to_string());
            let re = dialect.string(&v6_hex_regex(v6));
            let y = "lower(trim(x))";
            match dialect {
                Dialect::Athena | Dialect::Trino => {
                    format!("any_match(split({column}, ','), x -> contains({cidr}, TRY_CAST(trim(x) AS IPADDRESS)))")
                }
                Dialect::DuckDb => {
                    // DuckDB 1.3 and later: `lambda g: ...` (the arrow is refused from 2.0 on).
                    let groups = |text: &str| format!("list_filter(string_split({text}, ':'), lambda g: g <> '')");
                    let full = format!(
                        "CASE WHEN {y} LIKE '%::%' THEN list_concat(list_concat({}, list_transform(range(8 - \
                         len({})), lambda i: '0')), {}) ELSE string_split({y}, ':') END",
                        groups(&format!("split_part({y}, '::', 1)")),
                        groups(y),
                        groups(&format!("split_part({y}, '::', 2)")),
                    );
                    let hex = format!("array_to_string(list_transform({full}, lambda g: lpad(g, 4, '0')), '')");
                    format!(
                        "len(list_filter(string_split({column}, ','), lambda x: {y} LIKE '%:%' AND \
                         regexp_matches({hex}, {re}))) > 0"
                    )
                }
                Dialect::Spark => {
                    let groups = |text: &str| format!("filter(split({text}, ':'), g -> g <> '')");
                    let full = format!(
                        "CASE WHEN {y} LIKE '%::%' THEN concat({}, array_repeat('0', 8 - size({})), {}) \
                         ELSE split({y}, ':') END",
                        groups(&format!("split_part({y}, '::', 1)")),
                        groups(y),
                        groups(&format!("split_part({y}, '::', 2)")),
                    );
                    let hex = format!("array_join(transform({full}, g -> lpad(g, 4, '0')), '')");
                    format!("exists(split({column}, ','), x -> {y} LIKE '%:%' AND {hex} RLIKE {re})")
                }
            }
        }
    }
}

/// A regular expression matching an IPv4 address of `net` as a whole element of a
/// comma-separated chain (written as ctl reads addresses: decimal octets without leading zeros).
fn v4_regex(net: &Ipv4Net) -> String {
    const ANY: &str = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
    let octets = net.network().octets();
    let prefix = u32::from(net.prefix_len());
    let parts: Vec<String> = (0..4u32)
        .map(|i| {
            let fixed = prefix.saturating_sub(8 * i).min(8);
            let first = u32::from(octets[i as usize]);
            match fixed {
                8 => first.to_string(),
                0 => ANY.to_string(),
                bits => {
                    let span = 1u32 << (8 - bits);
                    let values: Vec<String> = (first..first + span).rev().map(|v| v.to_string()).collect();
                    format!("({})", values.join("|"))
                }
            }
        })
        .collect();
    format!("(^|,)\\s*{}\\s*(,|$)", parts.join("\\."))
}

/// A regular expression matching the 32 hex digits (lower case) of the addresses of `net`.
fn v6_hex_regex(net: &Ipv6Net) -> String {
    let digits: String = net.network().octets().iter().map(|b| format!("{b:02x}")).collect();
    let prefix = usize::from(net.prefix_len());
    let (whole, bits) = (prefix / 4, prefix % 4);
    let mut re = format!("^{}", &digits[..whole]);
    let mut rest = 32 - whole;
    if bits > 0 {
        let first = u32::from_str_radix(&digits[whole..=whole], 16).unwrap_or(0);
        let span = 1u32 << (4 - bits);
        let class: String = (first..first + span).filter_map(|v| char::from_digit(v, 16)).collect();
        re.push_str(&format!("[{class}]"));
        rest -= 1;
    }
    re.push_str(&format!("[0-9a-f]{{{rest}}}$"));
    re
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_regexes_match_the_addresses_of_the_block() {
        let re = v4_regex(&"10.0.0.0/14".parse().unwrap());
        assert!(re.starts_with("(^|,)\\s*10\\.(3|2|1|0)\\."), "{re}");
        assert_eq!(v6_hex_regex(&"2001:db8::/32".parse().unwrap()), "^20010db8[0-9a-f]{24}$");
        assert_eq!(v6_hex_regex(&"2001:db8::/30".parse().unwrap()), "^20010db[89ab][0-9a-f]{24}$");
        assert_eq!(v6_hex_regex(&"2001:db8::1/128".parse().unwrap()), "^20010db8000000000000000000000001[0-9a-f]{0}$");
    }
}
