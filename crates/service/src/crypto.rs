//! Field encryption for personal data at rest (ID numbers): SM4-GCM
//! (GB/T 32907 block cipher in Galois/counter mode, RFC 8998) with a random
//! 96-bit nonce per value, and HMAC-SM3 for finding duplicates without
//! decrypting. The 256-bit data key is configured (`security.data_key`,
//! `HONGLING_DATA_KEY`, or a key file); the first half encrypts, the second
//! keys the HMAC. It never lives in the database.

use aes_gcm::AesGcm;
use aes_gcm::aead::{Aead, KeyInit};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::Mac;
use rand::RngCore;

use crate::{Error, Result};

type Sm4Gcm = AesGcm<sm4::Sm4, aes_gcm::aead::consts::U12>;

/// Prefix of stored ciphertexts, naming the scheme so it can change later.
const SCHEME: &str = "sm4gcm1:";

#[derive(Clone)]
pub struct DataKey {
    enc: [u8; 16],
    mac: [u8; 16],
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(***)")
    }
}

impl DataKey {
    /// From 64 hexadecimal characters.
    pub fn from_hex(s: &str) -> Result<Self, &'static str> {
        let bytes = hex::decode(s.trim()).map_err(|_| "数据加密密钥应为 64 位十六进制字符")?;
        let arr: [u8; 32] = bytes.try_into().map_err(|_| "数据加密密钥应为 64 位十六进制字符（256 位）")?;
        let mut enc = [0u8; 16];
        let mut mac = [0u8; 16];
        enc.copy_from_slice(&arr[..16]);
        mac.copy_from_slice(&arr[16..]);
        Ok(Self { enc, mac })
    }

    /// A new random key, as 64 hexadecimal characters.
    pub fn generate_hex() -> String {
        crate::secret::random_token()
    }

    pub fn encrypt(&self, plain: &str) -> Result<String> {
        let cipher = Sm4Gcm::new(&self.enc.into());
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let ct = cipher.encrypt(&nonce.into(), plain.as_bytes()).map_err(|_| Error::internal("encrypt"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        Ok(format!("{SCHEME}{}", STANDARD.encode(out)))
    }

    pub fn decrypt(&self, stored: &str) -> Result<String> {
        let raw = stored
            .strip_prefix(SCHEME)
            .and_then(|b| STANDARD.decode(b).ok())
            .filter(|b| b.len() > 12)
            .ok_or_else(|| Error::internal("ciphertext format"))?;
        let (nonce, ct) = raw.split_at(12);
        let cipher = Sm4Gcm::new(&self.enc.into());
        let nonce =
            aes_gcm::Nonce::<aes_gcm::aead::consts::U12>::try_from(nonce).map_err(|_| Error::internal("nonce"))?;
        let plain = cipher
            .decrypt(&nonce, ct)
            .map_err(|_| Error::internal("无法解密：数据加密密钥与加密时的不一致或数据已损坏"))?;
        String::from_utf8(plain).map_err(Error::internal)
    }

    /// A keyed hash for equality lookups (duplicate ID numbers).
    pub fn lookup_hash(&self, plain: &str) -> Result<String> {
        let mut m = <hmac::Hmac<sm3::Sm3> as hmac::KeyInit>::new_from_slice(&self.mac).map_err(Error::internal)?;
        m.update(plain.as_bytes());
        Ok(hex::encode(m.finalize().into_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sm4_standard_vector() {
        use aes_gcm::aead::array::Array;
        use sm4::cipher::BlockCipherEncrypt;
        // GB/T 32907-2016 appendix A.1
        let key = hex::decode("0123456789abcdeffedcba9876543210").expect("hex");
        let c = <sm4::Sm4 as KeyInit>::new_from_slice(&key).expect("key");
        let mut block = Array::try_from(key.as_slice()).expect("16 bytes");
        c.encrypt_block(&mut block);
        assert_eq!(hex::encode(block), "681edf34d206965e86b3e94f536e4246");
    }

    #[test]
    fn round_trip_and_tamper() {
        let k = DataKey::from_hex(&DataKey::generate_hex()).expect("key");
        let a = k.encrypt("11010519491231002X").expect("enc");
        let b = k.encrypt("11010519491231002X").expect("enc");
        assert_ne!(a, b, "a fresh nonce each time");
        assert!(!a.contains("1101051949"));
        assert_eq!(k.decrypt(&a).expect("dec"), "11010519491231002X");
        let mut tampered = a.clone().into_bytes();
        let last = tampered.len() - 3;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        assert!(k.decrypt(&String::from_utf8(tampered).expect("utf8")).is_err());
        let other = DataKey::from_hex(&DataKey::generate_hex()).expect("key");
        assert!(other.decrypt(&a).is_err());
        assert_eq!(k.lookup_hash("x").expect("h"), k.lookup_hash("x").expect("h"));
        assert_ne!(k.lookup_hash("x").expect("h"), other.lookup_hash("x").expect("h"));
        assert!(DataKey::from_hex("abc").is_err());
        assert_eq!(format!("{k:?}"), "DataKey(***)");
    }
}
