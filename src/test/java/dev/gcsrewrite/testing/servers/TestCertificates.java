package dev.gcsrewrite.testing.servers;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway certificate authority and a server certificate it signed for 127.0.0.1, written as
 * PEM files, like Memorystore's server CA and the certificate its instance presents.
 */
public final class TestCertificates {
  private final Path caCertificate;
  private final Path serverCertificate;
  private final Path serverKey;

  private TestCertificates(Path caCertificate, Path serverCertificate, Path serverKey) {
    this.caCertificate = caCertificate;
    this.serverCertificate = serverCertificate;
    this.serverKey = serverKey;
  }

  /** Makes a CA and a server certificate for 127.0.0.1 in {@code folder}. */
  public static TestCertificates create(Path folder, String name) throws Exception {
    KeyPair ca = keyPair();
    X500Name caName = new X500Name("CN=" + name + " test CA");
    X509Certificate caCertificate =
        sign(
            new JcaX509v3CertificateBuilder(
                    caName, BigInteger.ONE, from(), until(), caName, ca.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(true)),
            ca.getPrivate());
    KeyPair server = keyPair();
    X509Certificate serverCertificate =
        sign(
            new JcaX509v3CertificateBuilder(
                    caName,
                    BigInteger.TWO,
                    from(),
                    until(),
                    new X500Name("CN=127.0.0.1"),
                    server.getPublic())
                .addExtension(
                    Extension.subjectAlternativeName,
                    false,
                    new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1"))),
            ca.getPrivate());
    return new TestCertificates(
        write(folder.resolve(name + "-ca.pem"), caCertificate),
        write(folder.resolve(name + "-server.pem"), serverCertificate),
        write(folder.resolve(name + "-server-key.pem"), server.getPrivate()));
  }

  public Path caCertificate() {
    return caCertificate;
  }

  public Path serverCertificate() {
    return serverCertificate;
  }

  public Path serverKey() {
    return serverKey;
  }

  private static KeyPair keyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    return generator.generateKeyPair();
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key)
      throws Exception {
    return new JcaX509CertificateConverter()
        .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(key)));
  }

  private static Date from() {
    return new Date(System.currentTimeMillis() - 60_000);
  }

  private static Date until() {
    return new Date(System.currentTimeMillis() + 86_400_000L);
  }

  private static Path write(Path path, Object pemObject) throws IOException {
    StringWriter pem = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(pem)) {
      writer.writeObject(pemObject);
    }
    return Files.writeString(path, pem.toString(), StandardCharsets.US_ASCII);
  }
}
