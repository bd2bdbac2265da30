package dev.ipam.server.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipam.core.Codec;
import dev.ipam.core.Command;
import dev.ipam.core.Harness;
import dev.ipam.core.Ipam;
import dev.ipam.core.Result;
import dev.ipam.core.model.IPFamily;
import dev.ipam.server.http.ApiConfig;
import dev.ipam.server.http.ApiServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Opens the web console in headless Chromium, driven over WebDriver (Selenium with Debian's
 * {@code chromium} and {@code chromium-driver}), against a 3-node Raft cluster in this JVM. It waits
 * until the page's JavaScript has rendered every member with its role and term, and every pool with
 * its capacity and occupancy picture, checks them, and saves {@code target/console.png}.
 *
 * <p>Both binaries are named explicitly ({@code -Dipam.chromium}, {@code -Dipam.chromedriver}
 * override the Debian paths), so Selenium Manager never looks for or downloads anything. Skipped,
 * with the reason, only when either binary is missing; CI ({@code .ci/run}) installs both.
 */
class ConsoleBrowserTest {
    private static final long TIMEOUT_MS = 30_000;
    /** How long the page may take to render the cluster (it polls the API itself). */
    private static final Duration RENDER_TIMEOUT = Duration.ofSeconds(60);
    static final Path CHROMIUM = Path.of(System.getProperty("ipam.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("ipam.chromedriver", "/usr/bin/chromedriver"));
    private static final Pattern CAPACITY = Pattern.compile("capacity (\\d+), allocated (\\d+), free (\\d+)");

    @TempDir
    Path temp;
    private TestCluster cluster;
    private ApiServer http;
    private WebDriver driver;

    @AfterEach
    void tearDown() {
        if (driver != null) {
            driver.quit();
        }
        if (http != null) {
            http.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private static void run(RaftNode node, String requestId, Command command) {
        Result result = Codec.decodeResult(node.replica().submit(requestId, Codec.encodeCommand(command))
                .orTimeout(TIMEOUT_MS, TimeUnit.MILLISECONDS).join().result());
        assertTrue(result.ok(), requestId + ": " + result.message());
    }

    private WebDriver startBrowser() throws java.io.IOException {
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withLogFile(temp.resolve("chromedriver.log").toFile())
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1280,1400", "--user-data-dir=" + Files.createTempDirectory(temp, "chromium"));
        return new ChromeDriver(service, options);
    }

    @Test
    void consoleShowsMembersAndPools() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "headless browser test skipped: needs " + CHROMIUM + " and " + CHROMEDRIVER
                        + " (apt-get install -y chromium chromium-driver; .ci/run installs both)");
        cluster = new TestCluster(temp.resolve("cluster"), 3, Ipam::new, s -> s);
        cluster.startAll();
        RaftNode leader = cluster.awaitLeader(TIMEOUT_MS);
        run(leader, "p1", Harness.project("web"));
        run(leader, "p2", Harness.project("db"));
        run(leader, "pool1", Harness.pool("web", "frontend", "10.0.0.0/16"));
        run(leader, "pool2", Harness.pool("db", "storage", "10.1.0.0/20"));
        run(leader, "pool3", Harness.pool("db", "v6", "fd00:10::/56"));
        int[] lengths = {20, 22, 24, 24, 26, 28, 18};
        for (int i = 0; i < lengths.length; i++) {
            run(leader, "w" + i, Harness.claim("web", "web-" + i, IPFamily.IPv4, lengths[i], "frontend"));
        }
        for (int i = 0; i < 6; i++) {
            run(leader, "d" + i, Harness.claim("db", "db-" + i, IPFamily.IPv4, 23 + i % 3, "storage"));
            run(leader, "v" + i, Harness.claim("db", "db6-" + i, IPFamily.IPv6, 60 + i, "v6"));
        }
        http = new ApiServer(ApiConfig.defaults(0).withHost("127.0.0.1"), leader.replica(), leader.admin()).start();

        driver = startBrowser();
        driver.get("http://127.0.0.1:" + http.port() + "/console/");

        // The page renders from the API after load and on its refresh timer: wait until it shows all.
        List<String> pools = List.of("web/frontend", "db/storage", "db/v6");
        new WebDriverWait(driver, RENDER_TIMEOUT).withMessage(() -> "the console never showed 3 members and "
                + pools + ":\n" + driver.findElement(By.tagName("body")).getText())
                .until(page -> members(page).size() == 3
                        && pools.stream().allMatch(pool -> !page.findElements(By.cssSelector(
                                "[data-pool='" + pool + "'] .figures")).isEmpty()));

        Map<String, List<String>> members = members(driver);
        assertEquals(List.of("n1", "n2", "n3"), List.copyOf(members.keySet()));
        long term = leader.admin().status().term();
        long leaders = members.values().stream().filter(cells -> cells.get(1).equals("LEADER")).count();
        assertEquals(1, leaders, "one leader shown: " + members);
        members.forEach((id, cells) -> {
            assertTrue(cells.get(1).equals("LEADER") || cells.get(1).equals("FOLLOWER"), id + " role: " + cells);
            assertEquals(Long.toString(term), cells.get(2), id + " term: " + cells);
        });
        assertEquals("LEADER", members.get(leader.id()).get(1), "the leader's row says LEADER");

        for (String pool : pools) {
            WebElement card = driver.findElement(By.cssSelector("[data-pool='" + pool + "']"));
            String figures = card.findElement(By.cssSelector(".figures")).getText();
            if (figures.startsWith("capacity 2^")) {
                // IPv6: counts saturate (API) beyond a JavaScript number's exact range; the size is the prefix's power of two.
                assertTrue(figures.matches("capacity 2\\^\\d+, allocated (\\d+|\u2265 2\\^63|\u2248 2\\^\\d+\\.\\d), free .*"), pool + ": " + figures);
            } else {
                java.util.regex.Matcher capacity = CAPACITY.matcher(figures);
                assertTrue(capacity.find(), pool + " shows its capacity: " + figures);
                java.math.BigInteger total = new java.math.BigInteger(capacity.group(1));
                java.math.BigInteger allocated = new java.math.BigInteger(capacity.group(2));
                assertTrue(allocated.signum() > 0, pool + " has allocations: " + figures);
                assertTrue(allocated.compareTo(total) < 0, pool + " partly allocated: " + figures);
                assertEquals(total, allocated.add(new java.math.BigInteger(capacity.group(3))), pool + " adds up: " + figures);
            }
            assertTrue(!card.findElements(By.cssSelector("svg .allocated")).isEmpty(), pool + " occupancy picture drawn");
        }
        assertEquals("65536", CAPACITY.matcher(driver.findElement(By.cssSelector("[data-pool='web/frontend'] .figures"))
                .getText()).results().findFirst().orElseThrow().group(1), "a /16 holds 65536 addresses");
        assertTrue(driver.findElement(By.cssSelector("[data-pool='db/v6'] .figures")).getText().startsWith("capacity 2^72, allocated \u2265 2^63, "),
                "a /56 holds 2^72 addresses, more than a saturated count says");
        assertTrue(!driver.findElements(By.cssSelector("[data-project='web']")).isEmpty(), "projects listed");
        assertTrue(driver.findElement(By.id("changes")).getText().contains("web-6"), "recent changes listed");

        Path target = Path.of("target");
        Files.createDirectories(target);
        Path screenshot = target.resolve("console.png").toAbsolutePath();
        Files.write(screenshot, ((org.openqa.selenium.TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
        assertTrue(Files.size(screenshot) > 10_000, "screenshot written");
        System.out.println("console screenshot: " + screenshot);
    }

    /** The members table as the page shows it: member id to its cells' text, in id order. */
    private static Map<String, List<String>> members(WebDriver page) {
        Map<String, List<String>> rows = new TreeMap<>();
        for (WebElement row : page.findElements(By.cssSelector("#members tbody tr[data-member]"))) {
            List<String> cells = row.findElements(By.tagName("td")).stream().map(WebElement::getText).toList();
            if (cells.size() >= 3 && !cells.get(1).isBlank() && cells.get(2).matches("\\d+")) {
                rows.put(row.getAttribute("data-member"), cells);
            }
        }
        return rows;
    }
}
