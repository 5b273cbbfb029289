use super::*;

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse(text, Path::new("site.toml"), Path::new("/srv/site"))
}

#[test]
fn resolves_paths_against_the_file_directory() {
    let c = parse(
        "title = \"Portal\"\nout_dir = \"out\"\n[[sources]]\ntype = \"local\"\npath = \"../repos\"\n",
    )
    .unwrap();
    assert_eq!(c.title, "Portal");
    assert_eq!(c.out_dir, PathBuf::from("/srv/site/out"));
    assert_eq!(
        c.sources,
        vec![Source::Local {
            path: PathBuf::from("/srv/repos"),
            layout: Layout::Auto,
            health_file: None,
        }]
    );
    assert_eq!(c.catalog.files, vec!["catalog-info.yaml".to_string()]);
    assert!(c.catalog.rules.is_none());
}

#[test]
fn unknown_key_names_the_key_and_line() {
    let err = parse("title = \"x\"\n\n[catalog]\nfile = [\"a.yaml\"]\n").unwrap_err();
    assert!(err.message.contains("line 4"), "{}", err.message);
    assert!(err.message.contains("file"), "{}", err.message);
}

#[test]
fn unknown_key_in_a_source_is_an_error() {
    let err = parse("[[sources]]\ntype = \"local\"\npath = \".\"\nbrnch = \"main\"\n").unwrap_err();
    assert!(err.message.contains("brnch"), "{}", err.message);
    assert!(err.message.contains("line 4"), "{}", err.message);
    let err =
        parse("[[sources]]\ntype = \"local\"\npath = \".\"\nbranch = \"main\"\n").unwrap_err();
    assert!(err.message.contains("`branch`"), "{}", err.message);
    assert!(err.message.contains("line 4"), "{}", err.message);
}

#[test]
fn wrong_type_names_the_line() {
    let err = parse("title = 3\n").unwrap_err();
    assert!(err.message.contains("line 1"), "{}", err.message);
}

#[test]
fn the_userinfo_url_is_a_path_on_the_portal_origin() {
    assert_eq!(parse("").unwrap().sso.userinfo_url, None);
    let c = parse("[sso]\nuserinfo_url = \"/oauth2/userinfo\"\n").unwrap();
    assert_eq!(c.sso.userinfo_url.as_deref(), Some("/oauth2/userinfo"));
    for bad in [
        "https://idp.example/userinfo",
        "//idp.example/x",
        "oauth2/userinfo",
        "/a b",
        "/x\\\"y",
    ] {
        let err = parse(&format!("title = \"t\"\n[sso]\nuserinfo_url = {bad:?}\n")).unwrap_err();
        assert!(
            err.message.contains("line 3: [sso] userinfo_url"),
            "{bad}: {}",
            err.message
        );
    }
    let err = parse("[sso]\nuserinfo = \"/x\"\n").unwrap_err();
    assert!(err.message.contains("userinfo"), "{}", err.message);
}

#[test]
fn unknown_source_type_is_an_error() {
    let err = parse("[[sources]]\ntype = \"ftp\"\npath = \".\"\n").unwrap_err();
    assert!(err.message.contains("ftp"), "{}", err.message);
}

#[test]
fn publish_target_is_read_and_unknown_publish_keys_are_errors() {
    let c = parse("[publish]\nto = \"s3://site/portal\"\n").unwrap();
    assert_eq!(c.publish.to.as_deref(), Some("s3://site/portal"));
    let err = parse("[publish]\nto = \"s3://x\"\nsecret_key = \"k\"\n").unwrap_err();
    assert!(err.message.contains("secret_key"), "{}", err.message);
    assert!(c
        .secret_env_vars()
        .contains(&"AWS_SECRET_ACCESS_KEY".to_string()));
}

#[test]
fn a_github_source_names_its_token_variable_only() {
    let c = parse(
        "[[sources]]\ntype = \"github\"\norganization = \"kloudvin\"\nbranch = \"main\"\ntoken_env = \"GITHUB_TOKEN\"\napi_url = \"https://github.example.com/api/v3/\"\n",
    )
    .unwrap();
    let Source::Github(g) = &c.sources[0] else {
        panic!("not a github source")
    };
    assert_eq!(g.catalog_path, "catalog-info.yaml");
    assert_eq!(g.api_url, "https://github.example.com/api/v3");
    assert_eq!(
        g.auth,
        GithubAuth::Token {
            env: "GITHUB_TOKEN".into()
        }
    );
    assert_eq!(c.cache_dir, PathBuf::from("/srv/site/.playbill-cache"));
    let err =
        parse("[[sources]]\ntype = \"github\"\norganization = \"o\"\ntoken = \"x\"\n").unwrap_err();
    assert!(err.message.contains("token"), "{}", err.message);
}

#[test]
fn rules_accept_kinds_and_kind_with_type() {
    let c = parse(
        "[catalog]\nrules = [{ allow = [\"Component\", { kind = \"Resource\", \"spec.type\" = \"database\" }], locations = [{ type = \"file\", pattern = \"org/**\" }] }]\n",
    )
    .unwrap();
    let rules = c.catalog.rules.unwrap();
    assert_eq!(rules[0].allow[0].kind(), "Component");
    assert_eq!(rules[0].allow[1].spec_type(), Some("database"));
    assert_eq!(
        rules[0].locations.as_ref().unwrap()[0].pattern.as_deref(),
        Some("org/**")
    );
}

#[test]
fn prebuilt_takes_any_url_as_a_bucket_and_anything_else_as_a_directory() {
    let mut config = Config::defaults(Path::new("/repo"));
    for url in [
        "s3://docs/portal",
        "gs://docs",
        "az://docs/a",
        "https://docs.example",
    ] {
        config.set_prebuilt(url, |_| unreachable!("{url} is not a directory"));
        assert_eq!(config.prebuilt_bucket.as_deref(), Some(url));
        assert_eq!(config.prebuilt_docs, None);
    }
    config.set_prebuilt("published/docs", |p| Path::new("/base").join(p));
    assert_eq!(
        config.prebuilt_docs,
        Some(PathBuf::from("/base/published/docs"))
    );
    assert_eq!(config.prebuilt_bucket, None);
}
