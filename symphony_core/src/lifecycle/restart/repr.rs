//! The flat serialised form of a [`RestartPolicy`], validated on the way in.
//!
//! A host configuration reads best as one table (`policy = "backoff"`, `initial = "100ms"` …);
//! converting through this form lets the conversion name the offending field, which a derived
//! enum representation could not do for fields that belong to another variant.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{Backoff, RestartLimit, RestartPolicy, RestartPolicyError, duration_text};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RestartPolicyRepr {
    policy: PolicyKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    initial: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    multiplier: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_restarts: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reset_after: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum PolicyKind {
    Never,
    Immediate,
    Backoff,
}

impl PolicyKind {
    fn name(self) -> &'static str {
        match self {
            PolicyKind::Never => "never",
            PolicyKind::Immediate => "immediate",
            PolicyKind::Backoff => "backoff",
        }
    }
}

impl TryFrom<RestartPolicyRepr> for RestartPolicy {
    type Error = RestartPolicyError;

    fn try_from(repr: RestartPolicyRepr) -> Result<Self, Self::Error> {
        let policy = repr.policy.name();
        let backoff_fields = [
            ("initial", repr.initial.is_some()),
            ("max", repr.max.is_some()),
            ("multiplier", repr.multiplier.is_some()),
        ];
        let limit_fields = [
            ("max_restarts", repr.max_restarts.is_some()),
            ("reset_after", repr.reset_after.is_some()),
        ];
        match repr.policy {
            PolicyKind::Never => {
                reject(policy, &backoff_fields)?;
                reject(policy, &limit_fields)?;
                Ok(RestartPolicy::Never)
            }
            PolicyKind::Immediate => {
                reject(policy, &backoff_fields)?;
                Ok(RestartPolicy::Immediate {
                    limit: limit(&repr)?,
                })
            }
            PolicyKind::Backoff => {
                let initial = duration("initial", required(policy, "initial", &repr.initial)?)?;
                let max = duration("max", required(policy, "max", &repr.max)?)?;
                let multiplier = repr.multiplier.ok_or(RestartPolicyError::MissingField {
                    policy,
                    field: "multiplier",
                })?;
                Ok(RestartPolicy::Backoff {
                    backoff: Backoff::new(initial, max, multiplier)?,
                    limit: limit(&repr)?,
                })
            }
        }
    }
}

impl From<RestartPolicy> for RestartPolicyRepr {
    fn from(policy: RestartPolicy) -> Self {
        let mut repr = RestartPolicyRepr {
            policy: PolicyKind::Never,
            initial: None,
            max: None,
            multiplier: None,
            max_restarts: None,
            reset_after: None,
        };
        let limit = match policy {
            RestartPolicy::Never => return repr,
            RestartPolicy::Immediate { limit } => {
                repr.policy = PolicyKind::Immediate;
                limit
            }
            RestartPolicy::Backoff { backoff, limit } => {
                repr.policy = PolicyKind::Backoff;
                repr.initial = Some(duration_text::format(backoff.initial()));
                repr.max = Some(duration_text::format(backoff.max()));
                repr.multiplier = Some(backoff.multiplier());
                limit
            }
        };
        repr.max_restarts = limit.max_restarts;
        repr.reset_after = limit.reset_after.map(duration_text::format);
        repr
    }
}

fn reject(policy: &'static str, fields: &[(&'static str, bool)]) -> Result<(), RestartPolicyError> {
    match fields.iter().find(|(_, present)| *present) {
        Some(&(field, _)) => Err(RestartPolicyError::FieldNotAllowed { policy, field }),
        None => Ok(()),
    }
}

fn required<'a>(
    policy: &'static str,
    field: &'static str,
    value: &'a Option<String>,
) -> Result<&'a str, RestartPolicyError> {
    value
        .as_deref()
        .ok_or(RestartPolicyError::MissingField { policy, field })
}

fn duration(field: &'static str, text: &str) -> Result<Duration, RestartPolicyError> {
    duration_text::parse(text).map_err(|e| RestartPolicyError::InvalidDuration {
        field,
        text: text.to_owned(),
        reason: e.reason(),
    })
}

fn limit(repr: &RestartPolicyRepr) -> Result<RestartLimit, RestartPolicyError> {
    Ok(RestartLimit {
        max_restarts: repr.max_restarts,
        reset_after: repr
            .reset_after
            .as_deref()
            .map(|text| duration("reset_after", text))
            .transpose()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(toml_text: &str) -> Result<RestartPolicy, String> {
        toml::from_str::<RestartPolicy>(toml_text).map_err(|e| e.to_string())
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn reads_every_policy_from_toml() {
        assert_eq!(parse(r#"policy = "never""#), Ok(RestartPolicy::Never));
        assert_eq!(
            parse("policy = \"immediate\"\nmax_restarts = 3"),
            Ok(RestartPolicy::Immediate {
                limit: RestartLimit {
                    max_restarts: Some(3),
                    reset_after: None
                }
            })
        );
        assert_eq!(
            parse(
                "policy = \"backoff\"\ninitial = \"250ms\"\nmax = \"1m\"\nmultiplier = 1.5\nreset_after = \"10m\""
            ),
            Ok(RestartPolicy::Backoff {
                backoff: Backoff::new(ms(250), ms(60_000), 1.5).expect("valid"),
                limit: RestartLimit {
                    max_restarts: None,
                    reset_after: Some(ms(600_000))
                },
            })
        );
    }

    #[test]
    fn round_trips_through_toml_and_json() {
        let policies = [
            RestartPolicy::Never,
            RestartPolicy::Immediate {
                limit: RestartLimit::UNLIMITED,
            },
            RestartPolicy::Backoff {
                backoff: Backoff::new(ms(100), ms(30_000), 2.0).expect("valid"),
                limit: RestartLimit {
                    max_restarts: Some(5),
                    reset_after: Some(Duration::new(1, 5)),
                },
            },
        ];
        for policy in policies {
            let text = toml::to_string(&policy).expect("to toml");
            assert_eq!(parse(&text), Ok(policy.clone()), "{text}");
            let json = serde_json::to_string(&policy).expect("to json");
            let back: RestartPolicy = serde_json::from_str(&json).expect("from json");
            assert_eq!(back, policy, "{json}");
        }
    }

    #[test]
    fn writes_readable_toml() {
        let policy = RestartPolicy::Backoff {
            backoff: Backoff::new(ms(100), ms(30_000), 2.0).expect("valid"),
            limit: RestartLimit {
                max_restarts: Some(5),
                reset_after: Some(ms(600_000)),
            },
        };
        assert_eq!(
            toml::to_string(&policy).expect("to toml"),
            "policy = \"backoff\"\ninitial = \"100ms\"\nmax = \"30s\"\nmultiplier = 2.0\n\
             max_restarts = 5\nreset_after = \"10m\"\n"
        );
    }

    #[test]
    fn errors_name_the_field_and_the_fix() {
        let cases = [
            (
                "policy = \"never\"\nmax_restarts = 3",
                "`max_restarts` does not apply to policy = \"never\"",
            ),
            (
                "policy = \"immediate\"\ninitial = \"1s\"",
                "`initial` does not apply to policy = \"immediate\"",
            ),
            (
                "policy = \"backoff\"\ninitial = \"1s\"\nmultiplier = 2.0",
                "policy = \"backoff\" requires `max`",
            ),
            (
                "policy = \"backoff\"\ninitial = \"1s\"\nmax = \"5s\"",
                "policy = \"backoff\" requires `multiplier`",
            ),
            (
                "policy = \"backoff\"\ninitial = \"1.5s\"\nmax = \"5s\"\nmultiplier = 2.0",
                "`initial` = \"1.5s\" is not a duration: expected an integer followed by a unit",
            ),
            (
                "policy = \"backoff\"\ninitial = \"10s\"\nmax = \"5s\"\nmultiplier = 2.0",
                "`initial` (10s) must not exceed `max` (5s)",
            ),
            (
                "policy = \"backoff\"\ninitial = \"1s\"\nmax = \"5s\"\nmultiplier = 0.5",
                "`multiplier` must be a finite number >= 1.0",
            ),
            (
                "policy = \"immediate\"\nreset_after = \"soon\"",
                "`reset_after` = \"soon\" is not a duration",
            ),
            ("policy = \"sometimes\"", "unknown variant `sometimes`"),
            ("policy = \"never\"\nretries = 3", "unknown field `retries`"),
            ("max_restarts = 3", "missing field `policy`"),
            ("policy = \"immediate\"\nmax_restarts = -1", "max_restarts"),
        ];
        for (input, expected) in cases {
            let err = parse(input).expect_err(input);
            assert!(err.contains(expected), "{input:?}: {err}");
        }
    }
}
