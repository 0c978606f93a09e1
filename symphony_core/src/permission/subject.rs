//! A resource prepared for matching: reduced to bytes (and an address), once per check.

use std::net::IpAddr;

use super::host::{self, HostSubject, IP_TEXT_CAPACITY};
use super::model::{FsAccess, ModelAction};
use super::resource::Resource;

/// A resource reduced to what the matchers take, prepared once per check and shared by the
/// deny, request and grant lists.
pub(crate) enum Subject<'a> {
    Path {
        path: &'a [u8],
        access: FsAccess,
    },
    Extension {
        ip: Option<IpAddr>,
        /// The host name, or the canonical text of the address.
        text: &'a [u8],
        port: u16,
    },
    Env(&'a [u8]),
    Program {
        name: Option<&'a [u8]>,
        path: Option<&'a [u8]>,
    },
    Model(ModelAction),
}

impl<'a> Subject<'a> {
    /// Prepares `resource`; `None` if it is malformed. `ip_buf` holds the text of an IP host.
    pub(crate) fn new(
        resource: &Resource<'a>,
        ip_buf: &'a mut [u8; IP_TEXT_CAPACITY],
    ) -> Option<Self> {
        Some(match *resource {
            Resource::Path { path, access } => Subject::Path {
                path: path.as_path().as_os_str().as_encoded_bytes(),
                access,
            },
            Resource::Extension { host, port } => match host::parse_subject(host) {
                HostSubject::Ip(ip) => {
                    let text = host::ip_text(ip, ip_buf);
                    Subject::Extension {
                        ip: Some(ip),
                        text,
                        port,
                    }
                }
                HostSubject::Name(name) => Subject::Extension {
                    ip: None,
                    text: name.as_bytes(),
                    port,
                },
                HostSubject::Invalid => return None,
            },
            Resource::EnvVar(name) => Subject::Env(name.as_encoded_bytes()),
            Resource::Program(program) => Subject::Program {
                name: program
                    .found_by_name()
                    .then(|| program.name().as_encoded_bytes()),
                path: program
                    .resolved()
                    .map(|path| path.as_path().as_os_str().as_encoded_bytes()),
            },
            Resource::Model(action) => Subject::Model(action),
        })
    }
}
