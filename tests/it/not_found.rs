//! The 404 page: servers deliver it at the missing URL, at any depth, so its links start from
//! the portal's root path (base_url's, else `/`) while every other page stays relative.

use crate::common;
use playbill::config::Config;
use std::path::Path;

fn demo_config() -> Config {
    Config::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("site.toml")).expect("demo site.toml")
}

/// Every href, src and action of a page.
fn addresses(html: &str) -> Vec<String> {
    let tags = common::start_tags(html).into_iter();
    let attrs = tags.flat_map(|(_, attrs)| attrs);
    let wanted = attrs.filter(|(name, _)| matches!(name.as_str(), "href" | "src" | "action"));
    wanted.map(|(_, value)| value).collect()
}

#[test]
fn under_a_prefix_the_404_page_links_from_base_urls_path_and_other_pages_stay_relative() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let mut config = demo_config();
    config.base_url = Some("https://portal.example.com/dev/".into());
    playbill::build::build(&config, &out, &|_| {}).expect("demo builds");

    let not_found = std::fs::read_to_string(out.join("404.html")).unwrap();
    let internal: Vec<String> = addresses(&not_found)
        .into_iter()
        .filter(|a| !a.starts_with('#') && !a.contains("://"))
        .collect();
    assert!(internal.len() > 10, "{internal:?}");
    // One loader is addressed beside the file, for a copy opened from disk; nothing else is.
    let relative: Vec<&String> = internal
        .iter()
        .filter(|a| !a.starts_with("/dev/"))
        .collect();
    assert_eq!(relative.len(), 1, "{relative:?}");
    assert!(relative[0].starts_with("static/notfound."), "{relative:?}");
    assert!(not_found.contains("data-root=\"/dev/\""), "search root");

    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    let rooted: Vec<String> = addresses(&home)
        .into_iter()
        .filter(|a| a.starts_with('/'))
        .collect();
    assert_eq!(
        rooted,
        Vec::<String>::new(),
        "the home page must stay relative"
    );
}
