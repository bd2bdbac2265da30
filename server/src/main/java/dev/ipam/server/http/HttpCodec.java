package dev.ipam.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The server side of HTTP/1.1 on one connection: Netty's request decoder and response encoder, plus
 * responses this server encoded itself ({@link Encoded}: status line, headers and body in one
 * buffer, written by {@link Exchange#reply}), which go to the socket as they are.
 *
 * <p>It does what Netty's {@code HttpServerCodec} does (that class is final and keeps its queue of
 * request methods private): it remembers the method of every decoded request, in order, so that the
 * answer to a HEAD carries no body and a successful CONNECT answer no Transfer-Encoding. An
 * {@link Encoded} response takes its request's place in that queue as any other response does, so
 * the two kinds can alternate on a connection.
 */
final class HttpCodec extends CombinedChannelDuplexHandler<HttpRequestDecoder, HttpResponseEncoder> {
    /**
     * Methods of the requests decoded and not answered yet. A connection answers one request at a
     * time, but one read can hold several pipelined requests; each is answered (or the connection
     * closed) before reading resumes, so this holds at most what one read decoded.
     */
    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>(4);

    HttpCodec(int requestLineBytesMax, int headerBytesMax, int chunkBytesMax) {
        init(new Decoder(requestLineBytesMax, headerBytesMax, chunkBytesMax), new Encoder());
    }

    /** A whole response already encoded (head and body), written to the socket untouched. */
    static final class Encoded extends DefaultByteBufHolder {
        Encoded(ByteBuf bytes) {
            super(bytes);
        }
    }

    private final class Decoder extends HttpRequestDecoder {
        Decoder(int requestLineBytesMax, int headerBytesMax, int chunkBytesMax) {
            super(requestLineBytesMax, headerBytesMax, chunkBytesMax);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
            int before = out.size();
            super.decode(ctx, buffer, out);
            for (int i = before; i < out.size(); i++) {
                if (out.get(i) instanceof HttpRequest request) {
                    methods.add(request.method());
                }
            }
        }
    }

    private final class Encoder extends HttpResponseEncoder {
        private HttpMethod method;

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
            if (msg instanceof Encoded encoded) {
                methods.poll();
                ctx.write(encoded.content(), promise);
                return;
            }
            super.write(ctx, msg, promise);
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpResponse msg) {
            method = methods.poll();
            return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(msg);
        }

        @Override
        protected void sanitizeHeadersBeforeEncode(HttpResponse msg, boolean isAlwaysEmpty) {
            if (!isAlwaysEmpty && HttpMethod.CONNECT.equals(method) && msg.status().codeClass() == HttpStatusClass.SUCCESS) {
                // A successful CONNECT answer has no body framing (RFC 7230 section 3.3.1).
                msg.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
                return;
            }
            super.sanitizeHeadersBeforeEncode(msg, isAlwaysEmpty);
        }
    }
}
