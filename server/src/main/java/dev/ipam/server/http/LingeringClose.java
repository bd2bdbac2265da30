package dev.ipam.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection after an answer without losing the answer. When the server answers before it
 * has read the whole request (a malformed header, a body over the limit, a request too slow) and
 * then closes, the bytes the client is still sending reach a closed socket: the kernel answers with a
 * reset, and the client often sees "broken pipe" or "connection reset" instead of the 400 or 413 it
 * was sent. So, as HTTP/1.1 servers do (RFC 9112 section 9.6, "lingering close"): stop sending (FIN
 * after the answer), read and throw away what still arrives, and close when the client closes, after
 * {@link #LINGER_MS}, or beyond {@link #DISCARD_BYTES_MAX}.
 */
final class LingeringClose {
    static final long LINGER_MS = 2_000;
    static final long DISCARD_BYTES_MAX = 16L * 1024 * 1024;

    private LingeringClose() {
    }

    /** Call once the answer is flushed. */
    static void close(Channel channel) {
        if (!(channel instanceof DuplexChannel duplex) || !channel.isActive()) {
            channel.close();
            return;
        }
        ChannelPipeline pipeline = channel.pipeline();
        if (pipeline.get(Discard.class) != null) {
            return;
        }
        // Below the HTTP codec (nothing more is decoded), above TLS (records are still unwrapped).
        var tls = pipeline.context(SslHandler.class);
        if (tls != null) {
            pipeline.addAfter(tls.name(), "lingering-discard", new Discard());
        } else {
            pipeline.addFirst("lingering-discard", new Discard());
        }
        duplex.shutdownOutput().addListener(done -> {
            if (!done.isSuccess()) {
                channel.close();
                return;
            }
            channel.config().setAutoRead(true);
            channel.read();
        });
        channel.eventLoop().schedule(() -> {
            channel.close();
        }, LINGER_MS, TimeUnit.MILLISECONDS);
    }

    /** Swallows everything that arrives; closes past the byte cap. The client's own close ends it too. */
    private static final class Discard extends ChannelInboundHandlerAdapter {
        private long discarded;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf buf) {
                discarded += buf.readableBytes();
            }
            ReferenceCountUtil.release(msg);
            if (discarded > DISCARD_BYTES_MAX) {
                ctx.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
