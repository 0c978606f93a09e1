//! What the handshake establishes for a session: the host's params, the effective permission
//! policy and the validated configuration.

use std::sync::Arc;

use serde_json::Value;

use crate::config::ConfigValues;
use crate::manifest::Manifest;
use crate::permission::{PermissionError, Policy};
use crate::protocol::{ErrorCode, ErrorObject, InitializeParams, Request, SandboxEnforcement};

use super::{SandboxHook, SessionMachine};

/// A session's terms, settled during `initialize`: what the host sent, the [`Policy`] compiled
/// from the manifest's request, the host's grants and workspace roots, and the host's
/// configuration validated against the manifest's `[config]` schema.
///
/// Handlers see it in [`Handler::initialize`](super::Handler::initialize) and, through
/// [`Call`](super::Call), on every request.
///
/// ```
/// # use symphony_core::manifest::Manifest;
/// # use symphony_core::protocol::{ErrorCode, HostInfo, InitializeParams};
/// # use symphony_core::serve::Context;
/// # use symphony_core::permission::Resource;
///
/// let manifest = Manifest::from_toml_str(r#"
///     id = "acme.greeter"
///     name = "Greeter"
///     version = "1.0.0"
///     kind = "operator"
///     engine = "^1"
///     [permissions]
///     env = ["GREETING_*"]
///     [config.greeting]
///     type = "string"
///     default = "hello"
///     [operator]
///     category = "custom"
/// "#)?;
/// let mut params = InitializeParams::new(HostInfo::new("symphony", "1.0.0"));
/// params.grants.env = vec!["GREETING_*".into()];
/// let context = Context::establish(params.clone(), &manifest)?;
/// assert_eq!(context.config().get::<String>("greeting")?.as_deref(), Some("hello"));
/// let variable = Resource::env_var("GREETING_LANG");
/// assert!(context.policy().check(&variable).is_allowed());
///
/// params.config.insert("greting".into(), "hi".into());
/// let error = Context::establish(params, &manifest).unwrap_err();
/// assert_eq!(error.kind(), Some(ErrorCode::InvalidConfig));
/// assert!(error.message.contains("greting: unknown configuration key"), "{}", error.message);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Context {
    manifest: Arc<Manifest>,
    params: InitializeParams,
    policy: Policy,
    config: ConfigValues,
    sandbox: Option<SandboxEnforcement>,
}

impl Context {
    /// Compiles the policy and validates the config of `params` against `manifest`.
    ///
    /// A serve loop calls this for `initialize` (after
    /// [`SessionMachine::check_initialize`](super::SessionMachine::check_initialize)) and answers with the
    /// error if there is one.
    ///
    /// # Errors
    ///
    /// - [`InvalidConfig`](ErrorCode::InvalidConfig) listing every field that does not match
    ///   the schema (in the message, and as `data.errors` of `{path, reason}`);
    /// - [`InvalidInput`](ErrorCode::InvalidInput) if a grant rule or workspace root cannot be
    ///   compiled, naming it;
    /// - [`InvalidParams`](ErrorCode::InvalidParams) if the theme has a refused token, naming
    ///   it.
    pub fn establish(params: InitializeParams, manifest: &Manifest) -> Result<Self, ErrorObject> {
        if let Some(theme) = &params.theme {
            theme.validate().map_err(|error| {
                ErrorObject::new(ErrorCode::InvalidParams, format!("`theme`: {error}"))
            })?;
        }
        let policy = Policy::builder(manifest.permissions(), &params.grants)
            .workspace_roots(params.workspace_roots.iter().cloned())
            .build()
            .map_err(|error| {
                ErrorObject::new(
                    ErrorCode::InvalidInput,
                    format!("the host's grants cannot be applied: {error}"),
                )
            })?;
        let config = manifest
            .config()
            .validate(&Value::Object(params.config.clone()))
            .map_err(|errors| {
                let data: Vec<Value> = errors
                    .iter()
                    .map(|error| {
                        serde_json::json!({ "path": error.path(), "reason": error.reason() })
                    })
                    .collect();
                ErrorObject::new(
                    ErrorCode::InvalidConfig,
                    format!(
                        "the host's configuration does not match the `[config]` schema of `{}`: \
                         {errors}",
                        manifest.id().as_str()
                    ),
                )
                .with_data(serde_json::json!({ "errors": data }))
            })?;
        Ok(Context {
            manifest: Arc::new(manifest.clone()),
            params,
            policy,
            config,
            sandbox: None,
        })
    }

    /// The whole handshake of a serve loop for an `initialize` request (the one in
    /// [`Action::Initialize`](super::Action::Initialize)): checks the params and the protocol
    /// version ([`SessionMachine::check_initialize`]), [establishes](Self::establish) the context,
    /// and, when the host sets `sandbox`, applies `sandbox` (what it enforces is then
    /// [`sandbox`](Self::sandbox), for the `initialize` result).
    ///
    /// A serve loop passes `None` for `sandbox` when it may be sharing the host's process
    /// (in-process hosting, custom transports): a host asking for a sandbox is then refused
    /// rather than left unconfined, or restricted itself.
    ///
    /// # Errors
    ///
    /// The error object to answer `initialize` with: those of
    /// [`check_initialize`](SessionMachine::check_initialize) and [`establish`](Self::establish),
    /// or [`SandboxUnavailable`](ErrorCode::SandboxUnavailable) saying why the sandbox cannot
    /// be applied.
    pub fn handshake(
        request: &Request,
        manifest: &Manifest,
        sandbox: Option<&SandboxHook>,
    ) -> Result<Self, ErrorObject> {
        let params = SessionMachine::check_initialize(request)?;
        let mut context = Context::establish(params, manifest)?;
        if context.params().sandbox {
            let Some(apply) = sandbox else {
                return Err(ErrorObject::new(
                    ErrorCode::SandboxUnavailable,
                    "the host asked for a sandbox, but this extension is served over a custom \
                     or in-process transport, which gets no default sandbox since it may share \
                     the host's process (set ServeOptions::sandbox to provide one)",
                ));
            };
            let enforced = apply(&context).map_err(|reason| {
                ErrorObject::new(
                    ErrorCode::SandboxUnavailable,
                    format!("the host asked for a sandbox, but it cannot be applied: {reason}"),
                )
            })?;
            context.sandbox = Some(enforced);
        }
        Ok(context)
    }

    /// What the kernel enforces on the process, when the host asked for a sandbox and it was
    /// applied; the serve loops report it as [`InitializeResult::sandbox`].
    ///
    /// [`InitializeResult::sandbox`]: crate::protocol::InitializeResult::sandbox
    pub fn sandbox(&self) -> Option<&SandboxEnforcement> {
        self.sandbox.as_ref()
    }

    /// The manifest the session was established against (for its kind section).
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Everything the host sent in `initialize`.
    pub fn params(&self) -> &InitializeParams {
        &self.params
    }

    /// The effective permissions: the manifest's request ∩ the host's grants.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The host's configuration, validated, with the schema's defaults filled in.
    pub fn config(&self) -> &ConfigValues {
        &self.config
    }
}

/// A refused permission becomes a [`PermissionDenied`](ErrorCode::PermissionDenied) error in
/// the protocol's usual form (`permission denied: `{category}` access to `{resource}`: …`,
/// as [`ErrorObject::permission_denied`]) followed by the policy's reason; `data` holds
/// `permission` (the category), `access` and `resource`. So a handler can write
/// `call.policy().require(&resource)?`.
impl From<PermissionError> for ErrorObject {
    fn from(error: PermissionError) -> Self {
        let (permission, resource) = match &error {
            PermissionError::NotRequested {
                permission,
                resource,
            }
            | PermissionError::DeniedByHost {
                permission,
                resource,
                ..
            }
            | PermissionError::NeedsApproval {
                permission,
                resource,
                ..
            }
            | PermissionError::InvalidResource {
                permission,
                resource,
            } => (
                *permission,
                // The display form quotes the name for prose; here it is quoted once, below.
                resource.to_string().trim_matches('`').to_owned(),
            ),
            PermissionError::Unresolvable {
                permission, path, ..
            } => (*permission, path.display().to_string()),
        };
        let category = permission.category();
        ErrorObject::new(
            ErrorCode::PermissionDenied,
            format!("permission denied: `{category}` access to `{resource}`: {error}"),
        )
        .with_data(serde_json::json!({
            "permission": category.to_string(),
            "access": permission.access(),
            "resource": resource,
        }))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::permission::{FsAccess, Resource};
    use crate::protocol::HostInfo;

    fn manifest() -> Manifest {
        crate::testing::manifest(
            "test.context",
            "[permissions]\nenv = [\"APP_*\"]\n\
             [config.level]\ntype = \"integer\"\nmin = 1\nmax = 9\nrequired = true\n\
             [config.name]\ntype = \"string\"\ndefault = \"x\"\n",
        )
    }

    fn params(config: serde_json::Value) -> InitializeParams {
        let mut params = InitializeParams::new(HostInfo::new("test", "1"));
        params.config = serde_json::from_value(config).expect("config object");
        params
    }

    #[test]
    fn every_config_error_is_reported_with_its_path() {
        let error = Context::establish(params(json!({"level": 12, "nmae": "y"})), &manifest())
            .expect_err("invalid");
        assert_eq!(error.kind(), Some(ErrorCode::InvalidConfig));
        let data = error.data.clone().expect("data");
        let paths: Vec<&str> = data["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .filter_map(|e| e["path"].as_str())
            .collect();
        assert_eq!(paths, ["config.nmae", "config.level"], "{data}");
        assert!(error.message.contains("test.context"), "{}", error.message);
    }

    #[test]
    fn a_theme_with_a_refused_token_fails_the_handshake_naming_it() {
        use crate::protocol::{Theme, ThemeKind};
        let mut bad = params(json!({"level": 3}));
        bad.theme = Some(Theme::new(ThemeKind::Dark).token("color-text", "red;x:y"));
        let error = Context::establish(bad, &manifest()).expect_err("refused token");
        assert_eq!(error.kind(), Some(ErrorCode::InvalidParams));
        assert!(error.message.contains("`color-text`"), "{}", error.message);

        let mut good = params(json!({"level": 3}));
        good.theme = Some(Theme::new(ThemeKind::Dark).token("color-text", "#eee"));
        let context = Context::establish(good, &manifest()).expect("accepted");
        assert_eq!(
            context.params().theme.as_ref().map(|t| t.kind),
            Some(ThemeKind::Dark)
        );
    }

    #[test]
    fn an_invalid_grant_fails_with_invalid_input() {
        let mut params = params(json!({"level": 3}));
        params.grants.env = vec![String::new()];
        let error = Context::establish(params, &manifest()).expect_err("empty glob");
        assert_eq!(error.kind(), Some(ErrorCode::InvalidInput));
        assert!(error.message.contains("grant"), "{}", error.message);
    }

    #[test]
    fn a_refused_permission_names_permission_and_resource() {
        let context = Context::establish(params(json!({"level": 3})), &manifest()).expect("ok");
        assert_eq!(
            context.config().get::<String>("name").expect("string"),
            Some("x".into())
        );
        // Requested but not granted.
        let error = ErrorObject::from(
            context
                .policy()
                .require(&Resource::env_var("APP_TOKEN"))
                .expect_err("not granted"),
        );
        assert_eq!(error.kind(), Some(ErrorCode::PermissionDenied));
        assert!(
            error
                .message
                .starts_with("permission denied: `env` access to `APP_TOKEN`: ")
                && error.message.contains("needs the user's approval"),
            "{}",
            error.message
        );
        assert_eq!(
            error.data,
            Some(json!({"permission": "env", "access": "read", "resource": "APP_TOKEN"}))
        );
        // A path that cannot be normalised still names the permission and the path.
        let error = ErrorObject::from(
            context
                .policy()
                .require_path("/nonexistent-root/\0bad", FsAccess::Write)
                .expect_err("unresolvable"),
        );
        assert_eq!(error.data.expect("data")["access"], "write");
    }
}
