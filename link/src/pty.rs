//! A virtual serial port: a pty pair whose slave side a card stack (or NUT, or mbpoll) opens
//! as if it were the UPS's COM port.

use std::path::{Path, PathBuf};
use tokio_serial::{SerialPort, SerialStream};

/// The pty the twin serves on. The slave end is kept open here: when the last holder of the
/// slave closes it, reads on the master fail with EIO between two clients.
#[derive(Debug)]
pub struct Pty {
    pub master: SerialStream,
    _slave: SerialStream,
    pub path: PathBuf,
    link: Option<PathBuf>,
}

impl Pty {
    /// Opens a pty pair with the slave side at the UPS's `baud` (what a client that sets
    /// no speed speaks), lets any user open the slave (NUT drivers drop to user `nut`), and
    /// points `link` at it if asked.
    pub fn open(link: Option<&Path>, baud: u32) -> std::io::Result<Self> {
        let (master, mut slave) = SerialStream::pair().map_err(std::io::Error::other)?;
        slave.set_exclusive(false).map_err(std::io::Error::other)?;
        slave.set_baud_rate(baud).map_err(std::io::Error::other)?;
        let path = PathBuf::from(slave.name().ok_or_else(|| std::io::Error::other("the pty has no name"))?);
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666))?;
        let link = match link {
            Some(link) => {
                if std::fs::symlink_metadata(link).is_ok() {
                    std::fs::remove_file(link)?;
                }
                std::os::unix::fs::symlink(&path, link)?;
                Some(link.to_path_buf())
            }
            None => None,
        };
        Ok(Self { master, _slave: slave, path, link })
    }
}

/// The speed the pty's slave side is set to, by whoever set it last: a Linux pty master
/// answers termios queries with its slave's settings.
pub fn slave_baud(master: &&mut SerialStream) -> Option<u32> {
    master.baud_rate().ok()
}

impl Drop for Pty {
    fn drop(&mut self) {
        if let Some(link) = &self.link {
            let _ = std::fs::remove_file(link);
        }
    }
}
