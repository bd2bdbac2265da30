package dev.ipam.server.http;

import dev.ipam.core.Codec;
import dev.ipam.core.Command;
import dev.ipam.core.Core;
import dev.ipam.core.model.Project;
import dev.ipam.core.store.MemoryStore;
import dev.ipam.server.DirectReplica;
import dev.ipam.server.SingleNodeAdmin;
import java.time.Clock;
import java.util.TreeMap;

/**
 * Runs the API on a port over a DirectReplica, with project "p1", for trying kubectl by hand.
 * Arguments: PORT [TOKEN_FILE].
 */
public final class DevServer {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Core core = new dev.ipam.core.Ipam();
        DirectReplica replica = new DirectReplica(new MemoryStore(), core, Clock.systemUTC(), 0);
        replica.submit("p1", Codec.encodeCommand(new Command.CreateProject("admin", "p1", new TreeMap<>(), new TreeMap<>(),
                new Project.ProjectSpec(null)))).join();
        Auth auth = args.length > 1 ? Auth.load(java.nio.file.Path.of(args[1])) : Auth.off();
        ApiServer server = new ApiServer(ApiConfig.defaults(port), replica,
                new SingleNodeAdmin("n1", "127.0.0.1:" + port, replica), core, auth).start();
        System.out.println("listening on " + server.port());
        Thread.currentThread().join();
    }
}
