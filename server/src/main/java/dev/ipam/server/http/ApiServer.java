package dev.ipam.server.http;

import dev.ipam.server.Admin;
import dev.ipam.server.Replica;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kubernetes-dialect HTTP API of one node, on Netty. The event loop only frames HTTP: each whole
 * request goes to a bounded worker pool that decodes it, calls the replica and encodes the answer.
 * A connection handles one request at a time (reads pause until the answer is written), which keeps
 * answers in order and bounds the memory one client can pin.
 *
 * <p>Built by ipamd's {@code Main} over the Raft replica, and by tests over a {@code DirectReplica}.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);

    private final ApiConfig config;
    private final Tls tls;
    private final Guards guards;
    private final Api api;
    private final ThreadPoolExecutor workers;
    private final java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();
    private EventLoopGroup boss;
    private EventLoopGroup loops;
    private Channel serverChannel;

    /** The API over a replica running the IPAM core ({@link dev.ipam.core.Ipam}). */
    public ApiServer(ApiConfig config, Replica replica, Admin admin) {
        this(config, replica, admin, new dev.ipam.core.Ipam());
    }

    /**
     * The API over a replica running {@code core}; dry runs apply commands with it to a discarded
     * overlay, so it must be the same core the replicas run.
     */
    public ApiServer(ApiConfig config, Replica replica, Admin admin, dev.ipam.core.Core core) {
        this(config, replica, admin, core, Auth.off());
    }

    /**
     * As above, with bearer-token authentication and per-project roles ({@link Auth#load}); with
     * {@link Auth#off()} every request acts as an anonymous administrator.
     */
    public ApiServer(ApiConfig config, Replica replica, Admin admin, dev.ipam.core.Core core, Auth auth) {
        this(config, replica, admin, core, auth, null);
    }

    /** As above, serving HTTPS when {@code tls} is not null (kubectl sends tokens only over TLS). */
    public ApiServer(ApiConfig config, Replica replica, Admin admin, dev.ipam.core.Core core, Auth auth, Tls tls) {
        this(config, replica, admin, core, auth, tls, Guards.defaults());
    }

    /** As above, with the limits against abusive clients ({@link Guards}: rate, header sizes, slow requests). */
    public ApiServer(ApiConfig config, Replica replica, Admin admin, dev.ipam.core.Core core, Auth auth, Tls tls,
                     Guards guards) {
        this.config = config;
        this.tls = tls;
        this.guards = guards;
        this.workers = new ThreadPoolExecutor(config.workerThreads(), config.workerThreads(), 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(config.requestQueueMax()), new DefaultThreadFactory("ipam-http-worker", true));
        this.api = new Api(config, replica, admin, core, auth, workers, RateLimiter.of(guards));
    }

    /** Binds and starts serving; fails loudly when the address is taken. */
    public synchronized ApiServer start() {
        if (serverChannel != null) {
            throw new IllegalStateException("ApiServer already started on port " + port());
        }
        api.start();
        // NIO by default; native epoll with -Dipam.http.epoll=true. Epoll once seemed ~20% cheaper,
        // but HostileInputFuzzTest then saw resets instead of answers (fixed since by LingeringClose:
        // 5 of 5 fuzz runs pass with epoll). Re-measured 2026-11-22, two alternating runs of
        // ops/bench-node.sh 64 15: 202-203 us of CPU per claim with epoll, 190-202 with NIO. No gain,
        // so no second transport to support by default.
        boolean epoll = Boolean.getBoolean("ipam.http.epoll") && io.netty.channel.epoll.Epoll.isAvailable();
        int loopThreads = Math.max(2, Runtime.getRuntime().availableProcessors());
        if (epoll) {
            boss = new io.netty.channel.epoll.EpollEventLoopGroup(1, new DefaultThreadFactory("ipam-http-accept", true));
            loops = new io.netty.channel.epoll.EpollEventLoopGroup(loopThreads, new DefaultThreadFactory("ipam-http-io", true));
        } else {
            boss = new NioEventLoopGroup(1, new DefaultThreadFactory("ipam-http-accept", true));
            loops = new NioEventLoopGroup(loopThreads, new DefaultThreadFactory("ipam-http-io", true));
        }
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, loops)
                .channel(epoll ? io.netty.channel.epoll.EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        if (tls != null) {
                            channel.pipeline().addLast(tls.context().newHandler(channel.alloc()));
                        }
                        RequestDeadline deadline = new RequestDeadline(guards.requestReadTimeoutMs());
                        channel.pipeline()
                                .addLast(new io.netty.handler.timeout.IdleStateHandler(0, 0, config.idleTimeoutMs(),
                                        TimeUnit.MILLISECONDS))
                                .addLast(new ConnectionLimit())
                                .addLast(deadline.start())
                                .addLast(new HttpCodec(guards.requestLineBytesMax(), guards.headerBytesMax(), 8192))
                                .addLast(new BoundedAggregator(config.bodyBytesMax()))
                                .addLast(deadline.end())
                                .addLast(new Dispatch());
                    }
                });
        try {
            serverChannel = bootstrap.bind(config.host(), config.port()).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while binding " + config.host() + ":" + config.port(), e);
        } catch (RuntimeException e) {
            close();
            throw new IllegalStateException("cannot bind the HTTP API to " + config.host() + ":" + config.port()
                    + " (http.host/http.port): " + e.getMessage(), e);
        }
        LOG.info("HTTP API listening on {}://{}:{} ({})", tls == null ? "http" : "https", config.host(), port(),
                epoll ? "epoll" : "nio");
        return this;
    }

    /** The metrics registry served at /metrics; ipamd adds its own collectors to it. */
    public io.prometheus.metrics.model.registry.PrometheusRegistry registry() {
        return api.metrics.registry;
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    @Override
    public synchronized void close() {
        api.close();
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        if (boss != null) {
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
        workers.shutdownNow();
    }

    /**
     * Answers an oversized body with a Status 413 instead of Netty's bare one. The rest of the body is
     * read and dropped (the aggregator discards it) and the connection closed after its last byte:
     * closing with unread bytes would reset the connection and lose the answer.
     */
    private static final class BoundedAggregator extends HttpObjectAggregator {
        private boolean closeAtEnd;

        BoundedAggregator(int bodyBytesMax) {
            super(bodyBytesMax, false);
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
            byte[] body = OpenApi.utf8("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                    + "\"message\":\"the request body is larger than the limit of " + maxContentLength()
                    + " bytes (http.bodyBytesMax)\",\"reason\":\"RequestEntityTooLarge\",\"code\":413}");
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, Unpooled.wrappedBuffer(body));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, Wire.JSON);
            response.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            closeAtEnd = true;
            var written = ctx.writeAndFlush(response);
            if (oversized instanceof io.netty.handler.codec.http.FullHttpMessage) {
                // Its body was never read (the announced length alone was over the limit).
                written.addListener(f -> LingeringClose.close(ctx.channel()));
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            boolean last = msg instanceof io.netty.handler.codec.http.LastHttpContent;
            super.channelRead(ctx, msg);
            if (last && closeAtEnd) {
                ctx.close();
            }
        }
    }

    /** Closes a connection over {@code http.connectionsMax}, and idle ones that stream nothing. */
    private final class ConnectionLimit extends io.netty.channel.ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            if (connections.incrementAndGet() > config.connectionsMax()) {
                LOG.warn("closing a connection from {}: more than {} open (http.connectionsMax)",
                        ctx.channel().remoteAddress(), config.connectionsMax());
                ctx.close();
                return;
            }
            super.channelActive(ctx);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            connections.decrementAndGet();
            super.channelInactive(ctx);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event instanceof io.netty.handler.timeout.IdleStateEvent
                    && ctx.channel().attr(Exchange.STREAMING).get() == null) {
                ctx.close();
                return;
            }
            super.userEventTriggered(ctx, event);
        }
    }

    /** Hands each whole request to a worker; pauses reading until it is answered. */
    private final class Dispatch extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            Channel channel = ctx.channel();
            if (!request.decoderResult().isSuccess()) {
                Throwable cause = request.decoderResult().cause();
                if (cause instanceof io.netty.handler.codec.http.TooLongHttpHeaderException) {
                    reject(ctx, 431, "RequestHeaderFieldsTooLarge", "the request headers are larger than "
                            + guards.headerBytesMax() + " bytes (http-header-bytes-max)");
                } else if (cause instanceof io.netty.handler.codec.http.TooLongHttpLineException) {
                    reject(ctx, 414, "RequestURITooLong", "the request line is longer than "
                            + guards.requestLineBytesMax() + " bytes (http-request-line-bytes-max)");
                } else {
                    reject(ctx, 400, "BadRequest", "malformed HTTP request: " + cause);
                }
                return;
            }
            if (channel.attr(Exchange.STREAMING).get() != null) {
                // A request while a watch streams on the same connection: HTTP/1.1 cannot answer it in order.
                ctx.close();
                return;
            }
            channel.config().setAutoRead(false);
            byte[] body = ByteBufUtil.getBytes(request.content());
            InetSocketAddress remote = (InetSocketAddress) channel.remoteAddress();
            String client = remote == null ? "unknown" : remote.getAddress().getHostAddress();
            Exchange exchange;
            try {
                // The headers are the request's own (a new object per decoded request, not pooled): no copy.
                exchange = new Exchange(request.method().name(), request.uri(), request.headers(), body,
                        client, channel, HttpUtil.isKeepAlive(request), api.metrics, () -> {
                            channel.config().setAutoRead(true);
                            channel.read();
                        });
            } catch (IllegalArgumentException e) {
                // A URI the query decoder refuses (a bad %-escape): the client's fault, answered, not dropped.
                reject(ctx, 400, "BadRequest", "malformed request URI: " + e.getMessage());
                return;
            }
            // The one hand-off to the workers: 429 when the queue is full, 503 when the node is stopping.
            api.rejectingAs429(exchange).execute(() -> api.handle(exchange));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("HTTP connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }

        private void reject(ChannelHandlerContext ctx, int code, String reason, String message) {
            byte[] body = OpenApi.utf8("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                    + "\"reason\":\"" + reason + "\",\"code\":" + code + ",\"message\":"
                    + "\"" + new String(com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance().quoteAsString(message))
                    + "\"}");
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.valueOf(code), Unpooled.wrappedBuffer(body));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, Wire.JSON);
            response.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(f -> LingeringClose.close(ctx.channel()));
        }
    }
}
