package dev.ipam.server.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Cuts off a client that sends a request too slowly (slowloris): the clock starts at the first byte
 * of a request and stops when the whole request is framed; past {@code requestReadTimeoutMs} the
 * client gets 408 and the connection is closed. {@link #start()} goes before the HTTP codec, {@link
 * #end()} after the aggregator. Watches that stream are not timed (their client sends nothing).
 */
final class RequestDeadline {
    private final long timeoutMs;
    private ScheduledFuture<?> pending;

    RequestDeadline(long timeoutMs) {
        this.timeoutMs = timeoutMs;
    }

    /** Arms the deadline at the first raw byte of a request. */
    ChannelDuplexHandler start() {
        return new ChannelDuplexHandler() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
                if (pending == null && ctx.channel().attr(Exchange.STREAMING).get() == null) {
                    pending = ctx.executor().schedule(() -> expire(ctx), timeoutMs, TimeUnit.MILLISECONDS);
                }
                super.channelRead(ctx, msg);
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) throws Exception {
                disarm();
                super.channelInactive(ctx);
            }
        };
    }

    /** Disarms it when a whole request has been framed. */
    ChannelInboundHandlerAdapter end() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
                if (msg instanceof FullHttpRequest) {
                    disarm();
                }
                super.channelRead(ctx, msg);
            }
        };
    }

    private void disarm() {
        if (pending != null) {
            pending.cancel(false);
            pending = null;
        }
    }

    private void expire(ChannelHandlerContext ctx) {
        pending = null;
        if (!ctx.channel().isActive()) {
            return;
        }
        byte[] body = OpenApi.utf8("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                + "\"message\":\"the request did not arrive whole within " + timeoutMs
                + " ms (http-request-read-timeout-ms)\",\"reason\":\"Timeout\",\"code\":408}");
        byte[] head = OpenApi.utf8("HTTP/1.1 408 Request Timeout\r\nContent-Type: " + Wire.JSON + "\r\nContent-Length: "
                + body.length + "\r\nConnection: close\r\n\r\n");
        // Raw bytes written below the codec: the codec is mid-request and this handler sits before it.
        ctx.writeAndFlush(Unpooled.wrappedBuffer(head, body)).addListener(f -> LingeringClose.close(ctx.channel()));
    }
}
