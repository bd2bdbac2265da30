package dev.ipam.jepsen;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Latency and throughput over time as PNG, drawn with Java2D (headless), with the nemesis windows
 * shaded as Jepsen's perf plots do. One colour per operation kind and outcome.
 */
public final class Plots {
    static final int WIDTH = 1200;
    static final int HEIGHT = 560;
    private static final int LEFT = 80;
    private static final int RIGHT = 200;
    private static final int TOP = 40;
    private static final int BOTTOM = 50;
    private static final int BUCKET_MS = 1000;

    private Plots() {
    }

    /** A shaded interval: a fault from its start to its end, in seconds since the history began. */
    public record Window(String fault, double startS, double endS) {
    }

    private record Point(String series, double timeS, double value) {
    }

    /** Writes latency.png and throughput.png into {@code dir}. */
    public static void write(List<Op> history, Path dir) throws IOException {
        ImageIO.write(latency(history), "png", dir.resolve("latency.png").toFile());
        ImageIO.write(throughput(history), "png", dir.resolve("throughput.png").toFile());
    }

    public static List<Window> windows(List<Op> history) {
        double endS = history.isEmpty() ? 0 : seconds(history.get(history.size() - 1).timeNs());
        Map<String, Double> open = new HashMap<>();
        List<Window> windows = new ArrayList<>();
        for (Op op : history) {
            if (!op.isNemesis() || !op.isInvoke()) {
                continue;
            }
            if (op.f().startsWith(Op.START_PREFIX)) {
                open.putIfAbsent(op.f().substring(Op.START_PREFIX.length()), seconds(op.timeNs()));
            } else if (op.f().startsWith(Op.STOP_PREFIX)) {
                String fault = op.f().substring(Op.STOP_PREFIX.length());
                Double start = open.remove(fault);
                if (start != null) {
                    windows.add(new Window(fault, start, seconds(op.timeNs())));
                }
            }
        }
        open.forEach((fault, start) -> windows.add(new Window(fault, start, endS)));
        windows.sort((a, b) -> Double.compare(a.startS(), b.startS()));
        return windows;
    }

    static BufferedImage latency(List<Op> history) {
        List<Point> points = new ArrayList<>();
        Map<Integer, Op> open = new HashMap<>();
        for (Op op : history) {
            if (op.isNemesis()) {
                continue;
            }
            if (op.isInvoke()) {
                open.put(op.process(), op);
            } else {
                Op invoke = open.remove(op.process());
                if (invoke != null) {
                    double ms = Math.max(0.1, (op.timeNs() - invoke.timeNs()) / 1e6);
                    points.add(new Point(op.f() + " " + op.type().word(), seconds(invoke.timeNs()), ms));
                }
            }
        }
        return draw("Latency (ms, log scale)", history, points, true, false);
    }

    static BufferedImage throughput(List<Op> history) {
        Map<String, Map<Long, Integer>> buckets = new LinkedHashMap<>();
        for (Op op : history) {
            if (!op.isNemesis() && !op.isInvoke()) {
                buckets.computeIfAbsent(op.f() + " " + op.type().word(), s -> new HashMap<>())
                        .merge(op.timeNs() / (BUCKET_MS * 1_000_000L), 1, Integer::sum);
            }
        }
        long lastBucket = history.isEmpty() ? 0 : history.get(history.size() - 1).timeNs() / (BUCKET_MS * 1_000_000L);
        List<Point> points = new ArrayList<>();
        buckets.forEach((series, counts) -> {
            for (long b = 0; b <= lastBucket; b++) {
                points.add(new Point(series, b * BUCKET_MS / 1000.0, counts.getOrDefault(b, 0) * 1000.0 / BUCKET_MS));
            }
        });
        return draw("Throughput (completions/s)", history, points, false, true);
    }

    private static BufferedImage draw(String title, List<Op> history, List<Point> points, boolean logScale, boolean lines) {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            double maxS = history.isEmpty() ? 1 : Math.max(1, seconds(history.get(history.size() - 1).timeNs()));
            double maxY = 1;
            double minY = logScale ? 0.1 : 0;
            for (Point p : points) {
                maxY = Math.max(maxY, p.value());
            }
            Axes axes = new Axes(maxS, minY, maxY * 1.1, logScale);
            shade(g, windows(history), axes);
            frame(g, title, axes);
            Map<String, Color> colors = colors(points);
            Map<String, Point> previous = new HashMap<>();
            for (Point p : points) {
                g.setColor(colors.get(p.series()));
                int x = axes.x(p.timeS());
                int y = axes.y(p.value());
                if (lines) {
                    Point before = previous.put(p.series(), p);
                    if (before != null) {
                        g.setStroke(new BasicStroke(1.5f));
                        g.drawLine(axes.x(before.timeS()), axes.y(before.value()), x, y);
                    }
                } else {
                    g.fillRect(x - 1, y - 1, 3, 3);
                }
            }
            legend(g, colors);
        } finally {
            g.dispose();
        }
        return image;
    }

    private record Axes(double maxS, double minY, double maxY, boolean log) {
        int x(double s) {
            return LEFT + (int) Math.round((WIDTH - LEFT - RIGHT) * s / maxS);
        }

        int y(double value) {
            double fraction = log
                    ? (Math.log10(Math.max(value, minY)) - Math.log10(minY)) / (Math.log10(maxY) - Math.log10(minY))
                    : (value - minY) / (maxY - minY);
            return HEIGHT - BOTTOM - (int) Math.round((HEIGHT - TOP - BOTTOM) * fraction);
        }
    }

    private static void shade(Graphics2D g, List<Window> windows, Axes axes) {
        Map<String, Color> shades = new LinkedHashMap<>();
        for (Window w : windows) {
            Color shade = shades.computeIfAbsent(w.fault(), f -> palette(shades.size(), 60));
            g.setColor(shade);
            int x0 = axes.x(w.startS());
            int x1 = Math.max(x0 + 1, axes.x(w.endS()));
            g.fillRect(x0, TOP, x1 - x0, HEIGHT - TOP - BOTTOM);
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        int row = 0;
        for (Map.Entry<String, Color> e : shades.entrySet()) {
            g.setColor(e.getValue());
            g.fillRect(WIDTH - RIGHT + 10, HEIGHT - BOTTOM - 16 * (row + 1), 12, 12);
            g.setColor(Color.DARK_GRAY);
            g.drawString(e.getKey(), WIDTH - RIGHT + 28, HEIGHT - BOTTOM - 16 * row - 5);
            row++;
        }
    }

    private static void frame(Graphics2D g, String title, Axes axes) {
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1));
        g.drawRect(LEFT, TOP, WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, LEFT, TOP - 12);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int i = 0; i <= 10; i++) {
            double s = axes.maxS() * i / 10;
            g.drawString(String.format("%.0f", s), axes.x(s) - 8, HEIGHT - BOTTOM + 16);
        }
        g.drawString("time (s)", (WIDTH - RIGHT) / 2, HEIGHT - 12);
        if (axes.log()) {
            for (double v = 0.1; v <= axes.maxY(); v *= 10) {
                g.drawString(v < 1 ? "0.1" : String.format("%.0f", v), 10, axes.y(v) + 4);
            }
        } else {
            for (int i = 0; i <= 5; i++) {
                double v = axes.minY() + (axes.maxY() - axes.minY()) * i / 5;
                g.drawString(String.format("%.0f", v), 10, axes.y(v) + 4);
            }
        }
    }

    private static Map<String, Color> colors(List<Point> points) {
        Map<String, Color> colors = new java.util.TreeMap<>();
        for (Point p : points) {
            colors.putIfAbsent(p.series(), Color.BLACK);
        }
        int i = 0;
        for (Map.Entry<String, Color> e : colors.entrySet()) {
            e.setValue(outcomeColor(e.getKey(), i++));
        }
        return colors;
    }

    /** Failures in reds and indeterminate ops in oranges, a different shade per operation. */
    private static Color outcomeColor(String series, int i) {
        int shade = Math.floorMod(series.hashCode(), 4) * 30;
        if (series.endsWith(" fail")) {
            return new Color(230 - shade, 40 + shade / 2, 40);
        }
        if (series.endsWith(" info")) {
            return new Color(250 - shade / 2, 150 + shade / 3, 0);
        }
        return palette(i, 255).darker();
    }

    private static Color palette(int i, int alpha) {
        float hue = (i * 0.17f + 0.55f) % 1f;
        Color c = Color.getHSBColor(hue, 0.6f, 0.9f);
        return new Color(c.getRed(), c.getGreen(), c.getBlue(), alpha);
    }

    private static void legend(Graphics2D g, Map<String, Color> colors) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        int row = 0;
        for (Map.Entry<String, Color> e : colors.entrySet()) {
            g.setColor(e.getValue());
            g.fillRect(WIDTH - RIGHT + 10, TOP + 16 * row, 12, 12);
            g.setColor(Color.BLACK);
            g.drawString(e.getKey(), WIDTH - RIGHT + 28, TOP + 16 * row + 11);
            row++;
        }
    }

    private static double seconds(long ns) {
        return ns / 1e9;
    }
}
