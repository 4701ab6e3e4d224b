package io.mxwatch.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** DKIM key records with real keys generated here: RSA of several sizes and Ed25519. */
class DkimKeyParserTest {
  private static PublicKey rsa(int bits) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(bits);
    return g.generateKeyPair().getPublic();
  }

  private static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  @ParameterizedTest
  @ValueSource(ints = {1024, 2048, 4096})
  void rsaKeysGiveTheirSize(int bits) throws Exception {
    byte[] spki = rsa(bits).getEncoded();
    DkimKey k = DkimKeyParser.parse("v=DKIM1; k=rsa; p=" + b64(spki));
    assertThat(k.errors()).isEmpty();
    assertThat(k.keyType()).isEqualTo("rsa");
    assertThat(k.keyBits()).isEqualTo(bits);
    assertThat(k.keySha256()).isEqualTo(sha256(spki));
    assertThat(k.revoked()).isFalse();
    assertThat(k.testing()).isFalse();
  }

  @Test
  void aBareRsaPublicKeyIsReadToo() throws Exception {
    byte[] spki = rsa(2048).getEncoded();
    // the SubjectPublicKeyInfo's BIT STRING holds the RSAPublicKey: its last 270 bytes for 2048 bits
    byte[] bare = Arrays.copyOfRange(spki, spki.length - 270, spki.length);
    assertThat(bare[0]).isEqualTo((byte) 0x30);
    DkimKey k = DkimKeyParser.parse("p=" + b64(bare));
    assertThat(k.errors()).isEmpty();
    assertThat(k.keyBits()).isEqualTo(2048);
  }

  @Test
  void anEd25519KeyIsItsRaw32Bytes() throws Exception {
    byte[] spki = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic().getEncoded();
    byte[] raw = Arrays.copyOfRange(spki, spki.length - 32, spki.length);
    DkimKey k = DkimKeyParser.parse("v=DKIM1; k=ed25519; p=" + b64(raw));
    assertThat(k.errors()).isEmpty();
    assertThat(k.keyType()).isEqualTo("ed25519");
    assertThat(k.keyBits()).isEqualTo(256);
    assertThat(DkimKeyParser.parse("v=DKIM1; k=ed25519; p=" + b64(spki)).errors()).singleElement().asString().contains("32 bytes");
  }

  @Test
  void stringsSplitWithSpacesInsideTheKeyAreJoined() throws Exception {
    String p = b64(rsa(2048).getEncoded());
    DkimKey k = DkimKeyParser.parse("v=DKIM1; k=rsa;\r\n p=" + p.substring(0, 100) + " " + p.substring(100) + " ;");
    assertThat(k.errors()).isEmpty();
    assertThat(k.keyBits()).isEqualTo(2048);
  }

  @Test
  void anEmptyKeyIsRevokedAndTestingIsAFlag() {
    DkimKey k = DkimKeyParser.parse("v=DKIM1; t=s:y; p=");
    assertThat(k.revoked()).isTrue();
    assertThat(k.testing()).isTrue();
    assertThat(k.keyBits()).isNull();
    assertThat(k.errors()).isEmpty();
  }

  @Test
  void whatVerifiersCannotUseIsAnError() throws Exception {
    String p = b64(rsa(1024).getEncoded());
    assertThat(DkimKeyParser.parse("v=DKIM1; k=rsa").errors()).containsExactly("no p= tag: the record has no key");
    assertThat(DkimKeyParser.parse("v=DKIM1; p=" + p + "; p=" + p).errors()).singleElement().asString().contains("appears twice");
    assertThat(DkimKeyParser.parse("k=rsa; v=DKIM1; p=" + p).errors()).containsExactly("v= must be the first tag");
    assertThat(DkimKeyParser.parse("v=DKIM2; p=" + p).errors()).containsExactly("version 'DKIM2' is not DKIM1");
    assertThat(DkimKeyParser.parse("v=DKIM1; p=not*base64").errors()).containsExactly("p= is not valid base64");
    assertThat(DkimKeyParser.parse("v=DKIM1; p=" + b64("not a key".getBytes())).errors()).singleElement().asString().contains("not an RSA public key");
    assertThat(DkimKeyParser.parse("v=DKIM1; k=dsa; p=" + p).errors()).singleElement().asString().contains("unknown key type");
    assertThat(DkimKeyParser.parse("v=DKIM1; h=sha1; p=" + p).errors()).singleElement().asString().contains("RFC 8301");
    assertThat(DkimKeyParser.parse("v=DKIM1; s=tlsrpt; p=" + p).errors()).singleElement().asString().contains("not for mail");
    assertThat(DkimKeyParser.parse("v=DKIM1; garbage; p=" + p).errors()).singleElement().asString().contains("is not tag=value");
    assertThat(DkimKeyParser.parse("").errors()).containsExactly("empty record");
    assertThat(DkimKeyParser.parse("v=DKIM1; p=" + p + "\u0000").errors()).containsExactly("character outside printable ASCII");
  }

  @Test
  void unknownTagsAndSha256AmongHashesAreFine() throws Exception {
    String p = b64(rsa(2048).getEncoded());
    DkimKey k = DkimKeyParser.parse("v=DKIM1; h=sha1:sha256; s=email; n=rotated 2026; x_future=1; p=" + p);
    assertThat(k.errors()).isEmpty();
    // a tag name is ALPHA *(ALPHA / DIGIT / "_") (RFC 6376 §3.2): a hyphen makes it no tag at all
    assertThat(DkimKeyParser.parse("v=DKIM1; x-future=1; p=" + p).errors()).singleElement().asString().contains("is not tag=value");
  }
}
