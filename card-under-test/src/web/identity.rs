//! The card's MAC address, made once per install (Socomec's OUI 00:E0:D8, then three
//! random bytes) and kept in the state directory: its last 6 characters are the
//! administrator's first password (§5, §9.3, §11.5).

use std::path::Path;

/// `00:E0:D8:XX:YY:ZZ`, read from `mac-address` in `state_dir`, or made and kept there.
pub fn mac_address(state_dir: &Path) -> std::io::Result<String> {
    let path = state_dir.join("mac-address");
    if let Ok(text) = std::fs::read_to_string(&path) {
        let mac = text.trim().to_owned();
        if mac.parse::<macaddr::MacAddr6>().is_ok() {
            return Ok(mac);
        }
    }
    let mut tail = [0u8; 3];
    getrandom::fill(&mut tail).map_err(|e| std::io::Error::other(e.to_string()))?;
    let mac = format!("00:E0:D8:{:02X}:{:02X}:{:02X}", tail[0], tail[1], tail[2]);
    crate::durable::replace_file(&path, format!("{mac}\n").as_bytes())?;
    Ok(mac)
}

/// The first password: the MAC's last 6 characters, as printed on the card (`FFC190`).
pub fn first_password(mac: &str) -> String {
    let digits: String = mac.chars().filter(char::is_ascii_hexdigit).collect();
    digits[digits.len().saturating_sub(6)..].to_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_first_password_is_the_macs_last_six_characters() {
        assert_eq!(super::first_password("00:e0:d8:ff:c1:90"), "FFC190");
        let dir = std::env::temp_dir().join(format!("upstwin-identity-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mac = super::mac_address(&dir).unwrap();
        assert!(mac.starts_with("00:E0:D8:"));
        assert_eq!(super::mac_address(&dir).unwrap(), mac, "kept");
    }
}
