package dev.ipam.e2e;

import dev.ipam.client.IpamClient;
import dev.ipam.client.model.Project;
import dev.ipam.server.http.KubectlScenarioTest;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4: the kubectl scenario (api-resources, create/apply, get in every form, -l, -w, describe,
 * explain --recursive, delete) against a three-node cluster, with kubectl pointed at a follower so
 * that writes are forwarded to the leader and reads are linearizable follower reads.
 * Skipped, saying so, when kubectl is not on the PATH.
 */
class KubectlOnClusterTest extends KubectlScenarioTest {
    static final String PROJECT = "kube";

    @TempDir
    static Path work;
    static LocalCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        Assumptions.assumeTrue(onPath("kubectl"), "kubectl is not on the PATH: the kubectl cluster scenario is skipped");
        cluster = new LocalCluster(work.resolve("data"), 3).start();
        String leader;
        try (IpamClient admin = IpamClient.connect(cluster.endpoints(), null, null)) {
            admin.projects().create(Project.of(PROJECT, null));
            leader = admin.cluster().status().leaderId();
        }
        int follower = leader.equals(cluster.id(0)) ? 1 : 0;
        Path kubectlDir = Files.createDirectories(work.resolve("kubectl"));
        against(cluster.endpoint(follower) + IpamClient.controlPlanePath(PROJECT), kubectlDir);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String entry : path.split(File.pathSeparator)) {
            if (new File(entry, program).canExecute()) {
                return true;
            }
        }
        return false;
    }
}
