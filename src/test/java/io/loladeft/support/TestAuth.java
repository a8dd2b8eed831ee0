package io.loladeft.support;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;

/**
 * Credentials the full-stack tests use: one API key per role, configured only as hashes, and JWTs
 * signed with a key pair made for this JVM whose public half the service is told to trust.
 */
public final class TestAuth {

    public static final String READER_KEY = "reader-key-0123456789abcdef";
    public static final String PLANNER_KEY = "planner-key-0123456789abcdef";
    public static final String OPERATOR_KEY = "operator-key-0123456789abcdef";

    private static final KeyPair RSA = rsa();
    private static Path publicKeyFile;

    private TestAuth() {}

    /** The {@code loladeft.auth.api-keys} value for the three keys above. */
    public static String apiKeysConfig() {
        return "test-reader=" + sha256(READER_KEY) + ":reader,"
                + "test-planner=" + sha256(PLANNER_KEY) + ":planner,"
                + "test-operator=" + sha256(OPERATOR_KEY) + ":operator";
    }

    /** A PEM file with the public key that verifies {@link #jwt}. */
    public static synchronized String publicKeyLocation() {
        if (publicKeyFile == null) {
            try {
                publicKeyFile = Files.createTempFile("jwt-public", ".pem");
                publicKeyFile.toFile().deleteOnExit();
                String pem = "-----BEGIN PUBLIC KEY-----\n"
                        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                                .encodeToString(RSA.getPublic().getEncoded())
                        + "\n-----END PUBLIC KEY-----\n";
                Files.writeString(publicKeyFile, pem);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return publicKeyFile.toUri().toString();
    }

    /** A signed token for {@code subject} with these roles, valid for {@code seconds} (negative: expired). */
    public static String jwt(String subject, List<String> roles, long seconds) {
        try {
            JWTClaimsSet claims = new JWTClaimsSet.Builder()
                    .subject(subject)
                    .claim("roles", roles)
                    .issueTime(new Date())
                    .expirationTime(Date.from(Instant.now().plusSeconds(seconds)))
                    .build();
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), claims);
            jwt.sign(new RSASSASigner(RSA.getPrivate()));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair rsa() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
