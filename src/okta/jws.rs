//! Signed JWTs for Okta's OAuth 2.0 service apps: the `private_key_jwt` client assertion and
//! DPoP proofs (RFC 9449), signed RS256 or ES256 with *ring* (already in the tree through rustls).
//!
//! A [`SigningKey`] is read from PEM (PKCS#8, or PKCS#1 for RSA) or from a private JWK, the two
//! forms the Okta Admin Console hands out. Its `Debug` never shows key material.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{self, EcdsaKeyPair, KeyPair, RsaKeyPair};
use rustls::pki_types::{PrivateKeyDer, pem::PemObject};
use serde::Deserialize;
use serde_json::{Value, json};

/// Why a private key could not be used. Never includes key material.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    #[error("the private key is neither PEM nor a JWK")]
    UnknownFormat,
    #[error(
        "the PEM holds a SEC1 EC key (`BEGIN EC PRIVATE KEY`); convert it to PKCS#8: `openssl pkcs8 -topk8 -nocrypt -in key.pem`"
    )]
    Sec1,
    #[error("the key was rejected: {0} (use an RSA key of 2048 bits or more, or an EC P-256 key)")]
    Rejected(String),
    #[error("the JWK is missing `{0}`")]
    JwkField(&'static str),
    #[error("the JWK has kty `{0}`; use RSA or EC (P-256)")]
    JwkType(String),
    #[error("signing failed")]
    Sign,
}

enum Pair {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair),
}

/// A private key for RS256 or ES256.
pub struct SigningKey {
    pair: Pair,
    /// The key id Okta knows the public key by, when given (a JWK's `kid`).
    pub kid: Option<String>,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SigningKey({}, kid: {:?}, <redacted>)",
            self.alg(),
            self.kid
        )
    }
}

#[derive(Deserialize)]
struct Jwk {
    kty: String,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    crv: Option<String>,
    #[serde(default)]
    n: Option<String>,
    #[serde(default)]
    e: Option<String>,
    #[serde(default)]
    d: Option<String>,
    #[serde(default)]
    p: Option<String>,
    #[serde(default)]
    q: Option<String>,
    #[serde(default)]
    dp: Option<String>,
    #[serde(default)]
    dq: Option<String>,
    #[serde(default)]
    qi: Option<String>,
    #[serde(default)]
    x: Option<String>,
    #[serde(default)]
    y: Option<String>,
}

fn field(value: &Option<String>, name: &'static str) -> Result<Vec<u8>, KeyError> {
    let text = value.as_deref().ok_or(KeyError::JwkField(name))?;
    B64.decode(text.trim_end_matches('='))
        .map_err(|_| KeyError::JwkField(name))
}

fn rejected(e: ring::error::KeyRejected) -> KeyError {
    KeyError::Rejected(e.to_string())
}

impl SigningKey {
    /// Reads a PEM (PKCS#8 RSA or EC P-256, PKCS#1 RSA) or a private JWK.
    pub fn parse(text: &str) -> Result<SigningKey, KeyError> {
        let trimmed = text.trim();
        if trimmed.starts_with('{') {
            Self::from_jwk(trimmed)
        } else if trimmed.starts_with("-----BEGIN") {
            Self::from_pem(trimmed)
        } else {
            Err(KeyError::UnknownFormat)
        }
    }

    fn from_pem(pem: &str) -> Result<SigningKey, KeyError> {
        let der =
            PrivateKeyDer::from_pem_slice(pem.as_bytes()).map_err(|_| KeyError::UnknownFormat)?;
        let pair = match &der {
            PrivateKeyDer::Pkcs8(pkcs8) => {
                let bytes = pkcs8.secret_pkcs8_der();
                match RsaKeyPair::from_pkcs8(bytes) {
                    Ok(rsa) => Pair::Rsa(rsa),
                    Err(_) => Pair::Ec(
                        EcdsaKeyPair::from_pkcs8(
                            &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                            bytes,
                            &SystemRandom::new(),
                        )
                        .map_err(rejected)?,
                    ),
                }
            }
            PrivateKeyDer::Pkcs1(pkcs1) => {
                Pair::Rsa(RsaKeyPair::from_der(pkcs1.secret_pkcs1_der()).map_err(rejected)?)
            }
            PrivateKeyDer::Sec1(_) => return Err(KeyError::Sec1),
            _ => return Err(KeyError::UnknownFormat),
        };
        Ok(SigningKey { pair, kid: None })
    }

    fn from_jwk(json: &str) -> Result<SigningKey, KeyError> {
        let jwk: Jwk = serde_json::from_str(json).map_err(|_| KeyError::UnknownFormat)?;
        let pair = match jwk.kty.as_str() {
            "RSA" => {
                let components = ring::rsa::KeyPairComponents {
                    public_key: signature::RsaPublicKeyComponents {
                        n: field(&jwk.n, "n")?,
                        e: field(&jwk.e, "e")?,
                    },
                    d: field(&jwk.d, "d")?,
                    p: field(&jwk.p, "p")?,
                    q: field(&jwk.q, "q")?,
                    dP: field(&jwk.dp, "dp")?,
                    dQ: field(&jwk.dq, "dq")?,
                    qInv: field(&jwk.qi, "qi")?,
                };
                Pair::Rsa(RsaKeyPair::from_components(&components).map_err(rejected)?)
            }
            "EC" => {
                if jwk.crv.as_deref() != Some("P-256") {
                    return Err(KeyError::JwkType(format!(
                        "EC with crv {}",
                        jwk.crv.as_deref().unwrap_or("?")
                    )));
                }
                let mut public = vec![4u8];
                public.extend(field(&jwk.x, "x")?);
                public.extend(field(&jwk.y, "y")?);
                Pair::Ec(
                    EcdsaKeyPair::from_private_key_and_public_key(
                        &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                        &field(&jwk.d, "d")?,
                        &public,
                        &SystemRandom::new(),
                    )
                    .map_err(rejected)?,
                )
            }
            other => return Err(KeyError::JwkType(other.to_string())),
        };
        Ok(SigningKey { pair, kid: jwk.kid })
    }

    /// `RS256` or `ES256`.
    pub fn alg(&self) -> &'static str {
        match self.pair {
            Pair::Rsa(_) => "RS256",
            Pair::Ec(_) => "ES256",
        }
    }

    /// The public half as a JWK (for a DPoP proof's header).
    pub fn public_jwk(&self) -> Value {
        match &self.pair {
            Pair::Rsa(rsa) => {
                let public = signature::RsaPublicKeyComponents::<Vec<u8>>::from(rsa.public());
                json!({ "kty": "RSA", "n": B64.encode(public.n), "e": B64.encode(public.e) })
            }
            Pair::Ec(ec) => {
                let point = ec.public_key().as_ref();
                json!({
                    "kty": "EC",
                    "crv": "P-256",
                    "x": B64.encode(&point[1..33]),
                    "y": B64.encode(&point[33..65]),
                })
            }
        }
    }

    /// A compact JWS of `claims` with the given extra header fields.
    pub fn sign_jwt(&self, mut header: Value, claims: &Value) -> Result<String, KeyError> {
        header["alg"] = json!(self.alg());
        let input = format!(
            "{}.{}",
            B64.encode(header.to_string()),
            B64.encode(claims.to_string())
        );
        let rng = SystemRandom::new();
        let signature = match &self.pair {
            Pair::Rsa(rsa) => {
                let mut out = vec![0; rsa.public().modulus_len()];
                rsa.sign(
                    &signature::RSA_PKCS1_SHA256,
                    &rng,
                    input.as_bytes(),
                    &mut out,
                )
                .map_err(|_| KeyError::Sign)?;
                out
            }
            Pair::Ec(ec) => ec
                .sign(&rng, input.as_bytes())
                .map_err(|_| KeyError::Sign)?
                .as_ref()
                .to_vec(),
        };
        Ok(format!("{input}.{}", B64.encode(signature)))
    }
}

/// A random id for `jti`.
pub fn random_id() -> String {
    let mut bytes = [0u8; 16];
    // SystemRandom only fails when the OS has no randomness at all; a time-based id is then
    // still unique enough for jti (it is not a secret).
    if SystemRandom::new().fill(&mut bytes).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        bytes = nanos.to_be_bytes();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// base64url(SHA-256(text)), as DPoP's `ath` claim wants the access token's hash.
pub fn sha256_b64(text: &str) -> String {
    B64.encode(ring::digest::digest(&ring::digest::SHA256, text.as_bytes()))
}

/// Splits a compact JWS and decodes header and claims (for tests and the sandbox's checks).
pub fn decode_unverified(jwt: &str) -> Option<(Value, Value)> {
    let mut parts = jwt.split('.');
    let header = parts.next()?;
    let claims = parts.next()?;
    let decode = |part: &str| {
        B64.decode(part)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
    };
    Some((decode(header)?, decode(claims)?))
}

/// Verifies a compact JWS against a public JWK (RS256 / ES256). Used by the sandbox's OAuth
/// endpoint and by tests; returns the claims when the signature holds.
pub fn verify(jwt: &str, jwk: &Value) -> Option<Value> {
    let (header, claims) = decode_unverified(jwt)?;
    let (input, signature) = jwt.rsplit_once('.')?;
    let signature = B64.decode(signature).ok()?;
    let text = |name: &str| {
        jwk.get(name)
            .and_then(Value::as_str)
            .and_then(|s| B64.decode(s).ok())
    };
    let ok = match header.get("alg").and_then(Value::as_str)? {
        "RS256" => signature::RsaPublicKeyComponents {
            n: text("n")?,
            e: text("e")?,
        }
        .verify(
            &signature::RSA_PKCS1_2048_8192_SHA256,
            input.as_bytes(),
            &signature,
        )
        .is_ok(),
        "ES256" => {
            let mut point = vec![4u8];
            point.extend(text("x")?);
            point.extend(text("y")?);
            signature::UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point)
                .verify(input.as_bytes(), &signature)
                .is_ok()
        }
        _ => false,
    };
    ok.then_some(claims)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Throw-away test keys (see tests/fixtures/README.md).
    pub const TEST_EC_JWK: &str = include_str!("../../tests/fixtures/test-ec.jwk.json");
    pub const TEST_RSA_JWK: &str = include_str!("../../tests/fixtures/test-rsa.jwk.json");
    const TEST_RSA_PEM: &str = include_str!("../../tests/fixtures/test-rsa.pkcs8.pem");
    const TEST_EC_SEC1: &str = include_str!("../../tests/fixtures/test-ec.sec1.pem");

    fn generated_ec() -> SigningKey {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .unwrap();
        // A throw-away test key, generated just above for this test: not a committed secret.
        let pem = format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
            base64::engine::general_purpose::STANDARD.encode(pkcs8.as_ref())
        );
        SigningKey::parse(&pem).unwrap()
    }

    #[test]
    fn es256_from_pem_signs_verifiably() {
        let key = generated_ec();
        assert_eq!(key.alg(), "ES256");
        let jwt = key
            .sign_jwt(
                json!({"typ": "dpop+jwt", "jwk": key.public_jwk()}),
                &json!({"htm": "POST"}),
            )
            .unwrap();
        let claims = verify(&jwt, &key.public_jwk()).expect("valid signature");
        assert_eq!(claims["htm"], "POST");
        let tampered = jwt.replacen('.', ".e30", 1);
        assert!(verify(&tampered, &key.public_jwk()).is_none());
    }

    #[test]
    fn es256_from_jwk_keeps_kid_and_verifies() {
        let key = SigningKey::parse(TEST_EC_JWK).unwrap();
        assert_eq!(key.kid.as_deref(), Some("test-ec"));
        let jwt = key.sign_jwt(json!({}), &json!({"a": 1})).unwrap();
        assert!(verify(&jwt, &key.public_jwk()).is_some());
    }

    #[test]
    fn rs256_from_jwk_and_pem_verify_with_their_public_jwk() {
        for text in [TEST_RSA_JWK, TEST_RSA_PEM] {
            let key = SigningKey::parse(text).unwrap();
            assert_eq!(key.alg(), "RS256");
            let jwt = key.sign_jwt(json!({}), &json!({"sub": "client"})).unwrap();
            assert_eq!(verify(&jwt, &key.public_jwk()).unwrap()["sub"], "client");
        }
        let jwk: Value = serde_json::from_str(TEST_RSA_JWK).unwrap();
        let key = SigningKey::parse(TEST_RSA_PEM).unwrap();
        assert_eq!(
            key.public_jwk()["n"],
            jwk["n"],
            "the PEM and the JWK are the same key"
        );
    }

    #[test]
    fn sec1_pem_gets_a_conversion_hint() {
        assert_eq!(SigningKey::parse(TEST_EC_SEC1).unwrap_err(), KeyError::Sec1);
    }

    #[test]
    fn debug_never_shows_key_material() {
        let key = SigningKey::parse(TEST_EC_JWK).unwrap();
        let debug = format!("{key:?}");
        let d: Value = serde_json::from_str(TEST_EC_JWK).unwrap();
        assert!(!debug.contains(d["d"].as_str().unwrap()), "{debug}");
        assert!(debug.contains("redacted"));
    }

    #[test]
    fn explains_unusable_keys() {
        assert_eq!(
            SigningKey::parse("hello").unwrap_err(),
            KeyError::UnknownFormat
        );
        assert_eq!(
            SigningKey::parse(r#"{"kty":"oct","k":"x"}"#).unwrap_err(),
            KeyError::JwkType("oct".into())
        );
        assert_eq!(
            SigningKey::parse(r#"{"kty":"RSA","n":"AQAB"}"#).unwrap_err(),
            KeyError::JwkField("e")
        );
    }

    #[test]
    fn ath_is_base64url_sha256() {
        // SHA-256("abc") from FIPS 180-2, base64url without padding.
        assert_eq!(
            sha256_b64("abc"),
            "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0"
        );
    }
}
