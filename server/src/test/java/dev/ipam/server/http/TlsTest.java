package dev.ipam.server.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.cert.X509Certificate;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS with bearer tokens, as kubectl needs it (it sends tokens only over TLS). */
class TlsTest {
    static final String PASSWORD = "changeit";
    static Fixture api;
    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Assumptions.assumeTrue(Files.isExecutable(keytool), "no keytool in this JDK: the TLS tests are skipped");
        Path store = dir.resolve("server.p12");
        keytool(keytool, store, "127.0.0.1");
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, "root-token root *=admin\nalice-token alice p1=editor\n");
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            trusted.load(in, PASSWORD.toCharArray());
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, trust.getTrustManagers(), null);
        api = new Fixture(ApiConfig.defaults(0), null, Auth.load(tokens), Tls.load(store, PASSWORD), ssl);
    }

    private static void keytool(Path keytool, Path store, String commonName) throws Exception {
        Path log = Files.createTempFile(dir, "keytool", ".log");
        Process process = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "ipam", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=" + commonName, "-ext", "san=ip:127.0.0.1", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("keytool did not finish in 60 s");
        }
        assertEquals(0, process.exitValue(), Files.readString(log));
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
    }

    @Test
    void tokensOverHttps() {
        Fixture.Reply anonymous = api.get(Fixture.CLAIMS);
        assertEquals(401, anonymous.code(), anonymous.toString());
        Fixture.Reply alice = api.send(HttpRequest.newBuilder(api.uri(Fixture.CLAIMS))
                .header("Authorization", "Bearer alice-token").GET());
        assertEquals(200, alice.code(), alice.toString());
    }

    @Test
    void aRotatedKeyStoreIsServedWithoutRestartAndABrokenOneIsIgnored() throws Exception {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Path live = dir.resolve("rotating.p12");
        keytool(keytool, live, "before-rotation");
        Path next = dir.resolve("next.p12");
        keytool(keytool, next, "after-rotation");
        try (Fixture rotating = new Fixture(ApiConfig.defaults(0), null, Auth.off(), Tls.load(live, PASSWORD), null)) {
            int port = rotating.server.port();
            assertEquals("CN=before-rotation", subject(port));
            // As an operator would: write the new file beside the old one and move it into place.
            Path staged = dir.resolve("rotating.p12.new");
            Files.copy(next, staged);
            Files.setLastModifiedTime(staged, FileTime.fromMillis(System.currentTimeMillis() + 5_000));
            Files.move(staged, live, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            assertEquals("CN=after-rotation", awaitSubject(port, "CN=after-rotation"));

            Files.writeString(live, "not a key store");
            Files.setLastModifiedTime(live, FileTime.fromMillis(System.currentTimeMillis() + 10_000));
            // Through several rotation checks, every new connection still gets the last good certificate.
            await().during(Duration.ofMillis(3 * Tls.CHECK_INTERVAL_MS)).atMost(Duration.ofMillis(3 * Tls.CHECK_INTERVAL_MS + 30_000))
                    .pollInterval(Duration.ofMillis(100))
                    .untilAsserted(() -> assertEquals("CN=after-rotation", subject(port), "a broken file must leave the last good one in force"));
        }
    }

    /** The subject of the certificate the server presents to a new connection. */
    private static String subject(int port) throws Exception {
        SSLContext trustAll = SSLContext.getInstance("TLS");
        trustAll.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        try (SSLSocket socket = (SSLSocket) trustAll.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
        }
    }

    private static String awaitSubject(int port, String wanted) {
        return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> subject(port), wanted::equals);
    }

    @Test
    void kubectlSendsItsTokenOverTls() throws Exception {
        String kubectl = KubectlScenarioTest.kubectl();
        Assumptions.assumeTrue(kubectl != null, "kubectl is not on the PATH: skipped");
        Path config = dir.resolve("kubeconfig");
        Files.writeString(config, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: ipam
                  cluster: {server: "https://127.0.0.1:%d%s", insecure-skip-tls-verify: true}
                contexts:
                - name: ipam
                  context: {cluster: ipam, user: alice, namespace: default}
                current-context: ipam
                users:
                - name: alice
                  user: {token: alice-token}
                """.formatted(api.server.port(), Fixture.P1));
        Files.writeString(dir.resolve("pool.yaml"), """
                apiVersion: ipam.miloapis.com/v1alpha1
                kind: IPPool
                metadata: {name: web}
                spec: {cidr: 10.0.0.0/24, ipFamily: IPv4}
                """);
        KubectlScenarioTest.Run list = kubectl(kubectl, config, "get", "ipclaims");
        assertEquals(0, list.exit(), list.err());
        KubectlScenarioTest.Run create = kubectl(kubectl, config, "create", "-f", dir.resolve("pool.yaml").toString());
        assertEquals(1, create.exit(), create.out());
        assertTrue(create.err().contains("forbidden") && create.err().contains("alice"), create.err());
    }

    private static KubectlScenarioTest.Run kubectl(String kubectl, Path config, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(kubectl, "--kubeconfig", config.toString(), "--cache-dir",
                dir.resolve("cache").toString(), "--request-timeout=30s"));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("kubectl " + String.join(" ", args) + " did not finish in 60 s");
        }
        return new KubectlScenarioTest.Run(process.exitValue(), Files.readString(out), Files.readString(err));
    }
}
