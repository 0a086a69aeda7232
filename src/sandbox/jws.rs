//! The sandbox's checks of signed JWTs — `private_key_jwt` client assertions and DPoP proofs —
//! as an authorization server makes them: a compact JWS (RFC 7515) of exactly three parts, an
//! `alg` of RS256 or ES256 (never `none`, never one the key's `kty` does not fit), verified
//! against the client's public JWK with *ring*. Also the random ids it hands out and the
//! base64url SHA-256 a DPoP proof's `ath` carries.
//!
//! Written apart from the client's signing code (`okta::jws`) on purpose: the sandbox judges
//! what the client sends, so it must not share the client's mistakes.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as BASE64URL;
use ring::signature::{self, RsaPublicKeyComponents, UnparsedPublicKey};
use serde_json::Value;

/// A compact JWS, split and decoded but not verified.
pub struct Jws<'t> {
    pub header: Value,
    pub claims: Value,
    /// `BASE64URL(header) . BASE64URL(payload)`, what the signature covers.
    signed: &'t str,
    signature: Vec<u8>,
}

fn json_part(part: &str) -> Option<Value> {
    let bytes = BASE64URL.decode(part).ok()?;
    serde_json::from_slice::<Value>(&bytes)
        .ok()
        .filter(Value::is_object)
}

/// Splits `token` into header, claims and signature; `None` unless it is three base64url parts
/// whose first two are JSON objects.
pub fn parse(token: &str) -> Option<Jws<'_>> {
    let (signed, signature) = token.rsplit_once('.')?;
    let (header, claims) = signed.split_once('.')?;
    if claims.contains('.') {
        return None;
    }
    Some(Jws {
        header: json_part(header)?,
        claims: json_part(claims)?,
        signed,
        signature: BASE64URL.decode(signature).ok()?,
    })
}

/// The claims of `token` when its signature holds for the public `jwk`.
pub fn verify(token: &str, jwk: &Value) -> Option<Value> {
    let jws = parse(token)?;
    jws.signed_by(jwk).then_some(jws.claims)
}

impl Jws<'_> {
    /// Whether the signature holds for the public `jwk`, with the header's `alg`.
    pub fn signed_by(&self, jwk: &Value) -> bool {
        let Some(alg) = self.header.get("alg").and_then(Value::as_str) else {
            return false;
        };
        // A key that names its algorithm is used with that one only.
        if jwk.get("alg").is_some_and(|a| a != alg) {
            return false;
        }
        let member = |name: &str| {
            jwk.get(name)
                .and_then(Value::as_str)
                .and_then(|s| BASE64URL.decode(s).ok())
        };
        let kty = jwk.get("kty").and_then(Value::as_str);
        let message = self.signed.as_bytes();
        match (alg, kty) {
            ("RS256", Some("RSA")) => {
                let (Some(n), Some(e)) = (member("n"), member("e")) else {
                    return false;
                };
                RsaPublicKeyComponents { n, e }
                    .verify(
                        &signature::RSA_PKCS1_2048_8192_SHA256,
                        message,
                        &self.signature,
                    )
                    .is_ok()
            }
            ("ES256", Some("EC")) if jwk.get("crv").and_then(Value::as_str) == Some("P-256") => {
                let (Some(x), Some(y)) = (member("x"), member("y")) else {
                    return false;
                };
                if x.len() != 32 || y.len() != 32 {
                    return false;
                }
                // SEC 1 uncompressed point; the JWS signature is R ‖ S, 32 bytes each.
                let point: Vec<u8> = [&[0x04][..], &x, &y].concat();
                UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point)
                    .verify(message, &self.signature)
                    .is_ok()
            }
            // `none`, HMAC, other curves, and an alg the key's type does not fit.
            _ => false,
        }
    }
}

/// 128 random bits as 32 hex digits: nonces and access tokens.
pub fn random_id() -> String {
    let bytes: [u8; 16] = ring::rand::generate(&ring::rand::SystemRandom::new())
        .map(|random| random.expose())
        // Only when the OS has no randomness at all; these ids guard a loopback test server.
        .unwrap_or_else(|_| std::array::from_fn(|_| fastrand::u8(..)));
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// base64url (no padding) of the SHA-256 of `text`: DPoP's `ath` of an access token.
pub fn sha256_base64url(text: &str) -> String {
    BASE64URL.encode(ring::digest::digest(&ring::digest::SHA256, text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use ring::rand::SystemRandom;
    use ring::signature::{EcdsaKeyPair, KeyPair, RsaKeyPair};
    use serde_json::json;

    use super::*;

    fn b64(bytes: &[u8]) -> String {
        BASE64URL.encode(bytes)
    }

    fn signing_input(header: &Value, claims: &Value) -> String {
        format!(
            "{}.{}",
            b64(header.to_string().as_bytes()),
            b64(claims.to_string().as_bytes())
        )
    }

    /// A fresh P-256 key: the signer and its public JWK.
    fn ec_key() -> (EcdsaKeyPair, Value) {
        let rng = SystemRandom::new();
        let alg = &signature::ECDSA_P256_SHA256_FIXED_SIGNING;
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(alg, &rng).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(alg, pkcs8.as_ref(), &rng).unwrap();
        let point = pair.public_key().as_ref();
        let jwk =
            json!({ "kty": "EC", "crv": "P-256", "x": b64(&point[1..33]), "y": b64(&point[33..]) });
        (pair, jwk)
    }

    fn es256(pair: &EcdsaKeyPair, header: &Value, claims: &Value) -> String {
        let input = signing_input(header, claims);
        let signature = pair.sign(&SystemRandom::new(), input.as_bytes()).unwrap();
        format!("{input}.{}", b64(signature.as_ref()))
    }

    /// The throw-away RSA test key (tests/fixtures/README.md): the signer and its public JWK.
    fn rsa_key() -> (RsaKeyPair, Value) {
        let pem = include_str!("../../tests/fixtures/test-rsa.pkcs8.pem");
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap();
        let pair = RsaKeyPair::from_pkcs8(&der).unwrap();
        let public = RsaPublicKeyComponents::<Vec<u8>>::from(pair.public());
        let jwk = json!({ "kty": "RSA", "n": b64(&public.n), "e": b64(&public.e) });
        (pair, jwk)
    }

    fn rs256(pair: &RsaKeyPair, header: &Value, claims: &Value) -> String {
        let input = signing_input(header, claims);
        let mut signature = vec![0; pair.public().modulus_len()];
        pair.sign(
            &signature::RSA_PKCS1_SHA256,
            &SystemRandom::new(),
            input.as_bytes(),
            &mut signature,
        )
        .unwrap();
        format!("{input}.{}", b64(&signature))
    }

    fn claims() -> Value {
        json!({ "iss": "0oaclient", "sub": "0oaclient", "jti": "1" })
    }

    #[test]
    fn accepts_es256_and_rs256_signatures_made_by_ring() {
        let (ec, ec_jwk) = ec_key();
        let token = es256(
            &ec,
            &json!({ "alg": "ES256", "typ": "dpop+jwt" }),
            &claims(),
        );
        assert_eq!(verify(&token, &ec_jwk), Some(claims()));
        let jws = parse(&token).unwrap();
        assert_eq!(jws.header["typ"], "dpop+jwt");
        assert_eq!(jws.claims, claims());

        let (rsa, rsa_jwk) = rsa_key();
        let token = rs256(&rsa, &json!({ "alg": "RS256" }), &claims());
        assert_eq!(verify(&token, &rsa_jwk), Some(claims()));
        // A key naming its own algorithm.
        let mut named = rsa_jwk.clone();
        named["alg"] = json!("RS256");
        assert_eq!(verify(&token, &named), Some(claims()));
    }

    #[test]
    fn rejects_a_tampered_payload() {
        let (ec, jwk) = ec_key();
        let token = es256(&ec, &json!({ "alg": "ES256" }), &claims());
        let (header, rest) = token.split_once('.').unwrap();
        let (_, signature) = rest.split_once('.').unwrap();
        let forged = b64(json!({ "iss": "0oaother", "sub": "0oaother" })
            .to_string()
            .as_bytes());
        assert_eq!(
            verify(&format!("{header}.{forged}.{signature}"), &jwk),
            None
        );

        let (rsa, jwk) = rsa_key();
        let token = rs256(&rsa, &json!({ "alg": "RS256" }), &claims());
        // One signature bit flipped (a middle character, so the base64 stays canonical).
        let mut bytes = token.into_bytes();
        let at = bytes.len() - 20;
        bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
        let flipped = String::from_utf8(bytes).unwrap();
        assert!(parse(&flipped).is_some());
        assert_eq!(verify(&flipped, &jwk), None);
    }

    #[test]
    fn rejects_another_key() {
        let (ec, _) = ec_key();
        let (_, other) = ec_key();
        let token = es256(&ec, &json!({ "alg": "ES256" }), &claims());
        assert_eq!(verify(&token, &other), None);
    }

    #[test]
    fn rejects_alg_none_and_unknown_algs() {
        let (_, jwk) = ec_key();
        let unsigned = format!("{}.", signing_input(&json!({ "alg": "none" }), &claims()));
        assert_eq!(verify(&unsigned, &jwk), None);
        let (ec, jwk) = ec_key();
        for alg in [json!("none"), json!("HS256"), json!("ES384"), json!(null)] {
            let token = es256(&ec, &json!({ "alg": alg }), &claims());
            assert_eq!(verify(&token, &jwk), None, "{alg}");
        }
    }

    #[test]
    fn rejects_an_alg_the_key_does_not_fit() {
        let (ec, ec_jwk) = ec_key();
        let (rsa, rsa_jwk) = rsa_key();
        // An EC signature announced as RS256, checked with the EC key, and the other way round.
        let token = es256(&ec, &json!({ "alg": "RS256" }), &claims());
        assert_eq!(verify(&token, &ec_jwk), None);
        let token = rs256(&rsa, &json!({ "alg": "ES256" }), &claims());
        assert_eq!(verify(&token, &rsa_jwk), None);
        // Right signature, key of the wrong type or curve, or naming another alg.
        let token = es256(&ec, &json!({ "alg": "ES256" }), &claims());
        let mut wrong = ec_jwk.clone();
        wrong["kty"] = json!("RSA");
        assert_eq!(verify(&token, &wrong), None);
        let mut wrong = ec_jwk.clone();
        wrong["crv"] = json!("P-384");
        assert_eq!(verify(&token, &wrong), None);
        let mut wrong = ec_jwk.clone();
        wrong["alg"] = json!("RS256");
        assert_eq!(verify(&token, &wrong), None);
    }

    #[test]
    fn rejects_what_is_not_a_compact_jws() {
        let (ec, jwk) = ec_key();
        let token = es256(&ec, &json!({ "alg": "ES256" }), &claims());
        assert!(verify(&format!("{token}.x"), &jwk).is_none());
        let two_parts = token.rsplit_once('.').unwrap().0;
        assert!(parse(two_parts).is_none());
        assert!(parse("").is_none());
        assert!(parse("a.b.c").is_none());
        assert!(parse(&format!("{two_parts}.not*base64")).is_none());
        let array = format!("{}.{}.", b64(b"[1]"), b64(b"{}"));
        assert!(parse(&array).is_none());
    }

    #[test]
    fn sha256_and_random_ids() {
        assert_eq!(
            sha256_base64url("abc"),
            "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0"
        );
        // RFC 9449's example access token and its `ath`.
        assert_eq!(
            sha256_base64url("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"),
            "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"
        );
        let (a, b) = (random_id(), random_id());
        assert_eq!(a.len(), 32);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}
