package dev.ipam.server.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One HTTP request and the means to answer it, once: either a whole response ({@link #reply}) or a
 * chunked stream ({@link #startStream}). Safe to answer from any thread; Netty hands the write to the
 * channel's event loop.
 */
final class Exchange {
    final String method;
    final String path;
    final Map<String, List<String>> query;
    final HttpHeaders headers;
    final byte[] body;
    /** The client's address without port: the unit of per-client limits. */
    final String client;
    /** Who asks; set by authentication before any resource is touched. */
    volatile Auth.Identity identity = Auth.Identity.ANONYMOUS_ADMIN;
    /** The resource addressed, once routing knows it (null for other paths): the metrics' verb and resource. */
    volatile Target target;
    /** The Retry-After of a 429 or 503 answer, in seconds. */
    volatile int retryAfterSeconds = 1;
    private final Channel channel;
    private final boolean keepAlive;
    private final AtomicBoolean answered = new AtomicBoolean();
    private final Runnable onComplete;
    /** Set on a channel while a chunked response is being streamed on it. */
    static final io.netty.util.AttributeKey<Boolean> STREAMING = io.netty.util.AttributeKey.valueOf("ipam.streaming");

    private final Metrics metrics;
    private final long startNanos = System.nanoTime();

    Exchange(String method, String uri, HttpHeaders headers, byte[] body, String client, Channel channel,
             boolean keepAlive, Metrics metrics, Runnable onComplete) {
        QueryStringDecoder decoder = new QueryStringDecoder(uri);
        this.method = method;
        this.path = decoder.path();
        this.query = decoder.parameters();
        this.headers = headers;
        this.body = body;
        this.client = client;
        this.channel = channel;
        this.keepAlive = keepAlive;
        this.metrics = metrics;
        this.onComplete = onComplete;
    }

    /** The first value of a query parameter, or null. */
    String param(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    String header(CharSequence name) {
        return headers.get(name);
    }

    /**
     * The subject common name of the client certificate TLS verified on this connection, or null
     * (plain HTTP, no certificate, or none asked for).
     */
    String certificateName() {
        io.netty.handler.ssl.SslHandler ssl = channel.pipeline().get(io.netty.handler.ssl.SslHandler.class);
        if (ssl == null) {
            return null;
        }
        try {
            java.security.cert.Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
            if (chain.length == 0 || !(chain[0] instanceof java.security.cert.X509Certificate x509)) {
                return null;
            }
            javax.naming.ldap.LdapName name = new javax.naming.ldap.LdapName(x509.getSubjectX500Principal().getName());
            for (javax.naming.ldap.Rdn rdn : name.getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return String.valueOf(rdn.getValue());
                }
            }
            return null;
        } catch (javax.net.ssl.SSLPeerUnverifiedException | javax.naming.InvalidNameException e) {
            return null;
        }
    }

    /** The unit of per-identity limits (open watches): the user when authenticated, else the address. */
    String limitKey() {
        return identity == Auth.Identity.ANONYMOUS_ADMIN ? client : "user:" + identity.user();
    }

    boolean answered() {
        return answered.get();
    }

    void reply(int code, String contentType, byte[] content) {
        if (!answered.compareAndSet(false, true)) {
            return;
        }
        metrics.answered(this, code, startNanos);
        if (code >= 200 && code != 204 && code != 205 && code != 304 && printableAscii(contentType)) {
            replyEncoded(code, contentType, content);
            return;
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(code), Unpooled.wrappedBuffer(content));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, content.length);
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache, private");
        if (code == 429 || code == 503) {
            response.headers().set(HttpHeaderNames.RETRY_AFTER, String.valueOf(retryAfterSeconds));
        }
        boolean keep = keepAlive && channel.isActive();
        if (keep) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        channel.writeAndFlush(response).addListener(done -> {
            if (!keep) {
                channel.close();
            }
            onComplete.run();
        });
    }

    /**
     * The bytes Netty's encoder would write for the response {@link #reply} builds (same status line,
     * same headers in the same order, the body unless the request was a HEAD), encoded here in one
     * buffer: no header map, no encoder pass on the event loop, one write. Only for codes whose
     * answers carry a body (not 1xx, 204, 205 or 304: those go through Netty's encoder, which
     * adjusts their headers).
     */
    private void replyEncoded(int code, String contentType, byte[] content) {
        boolean keep = keepAlive && channel.isActive();
        StringBuilder head = new StringBuilder(160)
                .append(statusLine(code))
                .append("content-type: ").append(contentType)
                .append("\r\ncontent-length: ").append(content.length)
                .append("\r\ncache-control: no-cache, private\r\n");
        if (code == 429 || code == 503) {
            head.append("retry-after: ").append(retryAfterSeconds).append("\r\n");
        }
        head.append(keep ? "connection: keep-alive\r\n\r\n" : "connection: close\r\n\r\n");
        int headBytes = head.length();
        int bodyBytes = method.equals("HEAD") ? 0 : content.length;
        byte[] bytes = new byte[headBytes + bodyBytes];
        for (int i = 0; i < headBytes; i++) {
            bytes[i] = (byte) head.charAt(i); // ASCII: constants, digits and the checked content type
        }
        System.arraycopy(content, 0, bytes, headBytes, bodyBytes);
        channel.writeAndFlush(new HttpCodec.Encoded(Unpooled.wrappedBuffer(bytes))).addListener(done -> {
            if (!keep) {
                channel.close();
            }
            onComplete.run();
        });
    }

    private static boolean printableAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    private static final String[] STATUS_LINES = new String[600];

    /** "HTTP/1.1 201 Created\r\n", as Netty writes it. */
    private static String statusLine(int code) {
        String line = code < STATUS_LINES.length ? STATUS_LINES[code] : null;
        if (line == null) {
            HttpResponseStatus status = HttpResponseStatus.valueOf(code);
            line = "HTTP/1.1 " + status.codeAsText() + " " + status.reasonPhrase() + "\r\n";
            if (code < STATUS_LINES.length) {
                STATUS_LINES[code] = line; // racy by design: every thread computes the same string
            }
        }
        return line;
    }

    /** Answers 301 to {@code location} (the console's /console to /console/). */
    void redirect(String location) {
        if (!answered.compareAndSet(false, true)) {
            return;
        }
        metrics.answered(this, 301, startNanos);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.MOVED_PERMANENTLY);
        response.headers().set(HttpHeaderNames.LOCATION, location);
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
        channel.writeAndFlush(response).addListener(done -> onComplete.run());
    }

    /** Sends the headers of a chunked response; the returned stream writes its chunks. */
    Stream startStream(String contentType) {
        if (!answered.compareAndSet(false, true)) {
            throw new IllegalStateException("exchange already answered: " + method + " " + path);
        }
        metrics.answered(this, 200, startNanos);
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache, private");
        HttpUtil.setTransferEncodingChunked(response, true);
        channel.attr(STREAMING).set(Boolean.TRUE);
        channel.writeAndFlush(response);
        // Read again while streaming, or a client that hangs up is only noticed at the next write.
        channel.config().setAutoRead(true);
        return new Stream();
    }

    /** The body of a chunked response. */
    final class Stream {
        private final AtomicBoolean ended = new AtomicBoolean();

        private volatile io.netty.channel.ChannelFuture lastWrite;

        /** Sends one chunk; the future completes once it left for the network (null when already ended). */
        io.netty.channel.ChannelFuture write(byte[] chunk) {
            if (ended.get()) {
                return null;
            }
            io.netty.channel.ChannelFuture written = channel.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(chunk)));
            lastWrite = written;
            return written;
        }

        /** Breaks the response off (no last chunk): the client sees a failed transfer, never a short success. */
        void abort() {
            if (ended.compareAndSet(false, true)) {
                channel.close().addListener(done -> onComplete.run());
            }
        }

        /**
         * Runs {@code action} once the client has taken what was written (at once if the outbound
         * buffer is below its high-water mark): a slow reader makes its watch wait, not the server's
         * memory grow.
         */
        void whenWritable(Runnable action) {
            io.netty.channel.ChannelFuture last = lastWrite;
            if (channel.isWritable() || last == null || !channel.isActive()) {
                action.run();
            } else {
                last.addListener(done -> action.run());
            }
        }

        /** Ends the response; the connection stays usable when keep-alive was asked for. */
        void end() {
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(done -> {
                channel.attr(STREAMING).set(null);
                if (!keepAlive) {
                    channel.close();
                }
                onComplete.run();
            });
        }

        /** Runs {@code action} once when the client goes away (or at once if it has). */
        void onClose(Runnable action) {
            channel.closeFuture().addListener((ChannelFutureListener) f -> action.run());
        }

        boolean open() {
            return !ended.get() && channel.isActive();
        }

        /** True while the client drains what we send: a slow watcher stops being writable. */
        boolean writable() {
            return channel.isWritable();
        }
    }
}
