package dev.ipam.jepsen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The PNGs are written headless, sized as promised, with the nemesis window shaded. */
class PlotsTest {
    @TempDir
    Path dir;

    private static List<Op> history() {
        Histories h = Histories.withPool();
        for (int i = 0; i < 20; i++) {
            h.claim(1, "c" + i, 30, "10.0.0." + (4 * i) + "/30");
            if (i == 5) {
                h.nemesis("start-kill", "kill");
            }
            if (i == 12) {
                h.nemesis("stop-kill", "kill");
            }
        }
        return h.ops();
    }

    @Test
    void nemesisWindowsPairStartsWithStops() {
        List<Plots.Window> windows = Plots.windows(history());
        assertEquals(1, windows.size());
        assertEquals("kill", windows.get(0).fault());
        assertTrue(windows.get(0).endS() > windows.get(0).startS());
    }

    @Test
    void pngsAreWrittenWithTheFaultShaded() throws Exception {
        List<Op> ops = history();
        Plots.write(ops, dir);
        for (String name : List.of("latency.png", "throughput.png")) {
            BufferedImage image = ImageIO.read(dir.resolve(name).toFile());
            assertEquals(Plots.WIDTH, image.getWidth());
            assertEquals(Plots.HEIGHT, image.getHeight());
            Plots.Window window = Plots.windows(ops).get(0);
            double lastS = Math.max(1, ops.get(ops.size() - 1).timeNs() / 1e9);
            int insideX = 80 + (int) ((Plots.WIDTH - 280) * ((window.startS() + window.endS()) / 2) / lastS);
            int outsideX = 80 + (int) ((Plots.WIDTH - 280) * (window.startS() / 4) / lastS);
            int y = Plots.HEIGHT - 60;
            assertNotEquals(image.getRGB(outsideX, y), image.getRGB(insideX, y), name + ": shaded inside the window");
            assertEquals(0xFFFFFFFF, image.getRGB(outsideX, y), name + ": white outside");
        }
    }
}
