package io.github.netobservch.loki.http;

import io.github.netobservch.loki.query.ClickHouseReader.ClickHouseException;
import io.github.netobservch.loki.query.LokiQueries;
import io.github.netobservch.loki.query.LokiQueryException;
import io.github.netobservch.loki.query.Results.Result;
import io.github.netobservch.loki.query.Tenant;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpContentCompressor;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP(S) server of the read API, on Netty: its HTTP codec takes request lines as sent, so the
 * plugin's unencoded {@code { } " | ` [ ] ^ $} reach the query decoder (the JDK's built-in server
 * rejects them). Queries run on a bounded pool off the event loop; a full queue is answered like
 * Loki's "too many outstanding requests". Push bodies are streamed to nowhere and counted.
 */
public final class LokiHttpServer implements AutoCloseable {

    /** Everything the routes need. */
    public record Settings(
            String host,
            int port,
            SslContext ssl,
            Authenticator auth,
            Map<String, Tenant> tenants,
            String defaultTenant,
            int workers,
            int queue,
            String configYaml,
            Map<String, String> buildInfo) {}

    private static final Logger LOG = LoggerFactory.getLogger(LokiHttpServer.class);
    private static final String PREFIX = "/loki/api/v1/";
    private static final int MAX_REQUEST_LINE = 256 * 1024;

    private final Settings settings;
    private final LokiQueries queries;
    private final BooleanSupplier ready;
    private final ServerMetrics metrics = new ServerMetrics();
    private final ThreadPoolExecutor pool;
    private final EventLoopGroup group;
    private final Channel channel;

    private LokiHttpServer(Settings settings, LokiQueries queries, BooleanSupplier ready) throws InterruptedException {
        this.settings = settings;
        this.queries = queries;
        this.ready = ready;
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(
                settings.workers(),
                settings.workers(),
                60,
                TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(settings.queue()),
                r -> {
                    Thread t = new Thread(r, "loki-api-query-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ChannelPipeline p = ch.pipeline();
                        if (settings.ssl() != null) {
                            p.addLast(settings.ssl().newHandler(ch.alloc()));
                        }
                        p.addLast(new HttpServerCodec(MAX_REQUEST_LINE, 64 * 1024, 64 * 1024));
                        p.addLast(new HttpContentCompressor());
                        p.addLast(new PushHandler());
                        p.addLast(new HttpObjectAggregator(1024 * 1024));
                        p.addLast(new ApiHandler());
                    }
                });
        this.channel = b.bind(settings.host(), settings.port()).sync().channel();
    }

    /** Binds and serves until {@link #close()}. */
    public static LokiHttpServer start(Settings settings, LokiQueries queries, BooleanSupplier ready)
            throws InterruptedException {
        return new LokiHttpServer(settings, queries, ready);
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    public ServerMetrics metrics() {
        return metrics;
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        pool.shutdownNow();
    }

    // ---- push: accepted, discarded, counted ---------------------------------------------------

    private final class PushHandler extends SimpleChannelInboundHandler<HttpObject> {
        private boolean discarding;
        private long bytes;
        private HttpRequest request;

        PushHandler() {
            super(false);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpRequest req) {
                String path = new QueryStringDecoder(req.uri()).path();
                if (req.method().equals(HttpMethod.POST) && path.equals(PREFIX + "push")) {
                    discarding = true;
                    bytes = 0;
                    request = req;
                    if (HttpUtil.is100ContinueExpected(req)) {
                        ctx.writeAndFlush(
                                new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
                    }
                    ReferenceCountUtil.release(msg);
                    if (msg instanceof LastHttpContent) {
                        finishPush(ctx);
                    }
                    return;
                }
            }
            if (discarding && msg instanceof HttpContent c) {
                bytes += c.content().readableBytes();
                boolean last = msg instanceof LastHttpContent;
                ReferenceCountUtil.release(msg);
                if (last) {
                    finishPush(ctx);
                }
                return;
            }
            ctx.fireChannelRead(msg);
        }

        private void finishPush(ChannelHandlerContext ctx) {
            discarding = false;
            HttpRequest req = request;
            request = null;
            long received = bytes;
            try {
                pool.execute(() -> {
                    if (!refused(ctx, req, "push")) {
                        metrics.push(received);
                        send(ctx, req, "push", HttpResponseStatus.NO_CONTENT, Response.empty());
                    }
                });
            } catch (RejectedExecutionException e) {
                tooMany(ctx, req, "push");
            }
        }
    }

    /** Loki's answer when the pool and its queue are full: 429, which flowlogs-pipeline retries. */
    private void tooMany(ChannelHandlerContext ctx, HttpRequest req, String route) {
        metrics.rejected();
        send(
                ctx,
                req,
                route,
                HttpResponseStatus.TOO_MANY_REQUESTS,
                json(LokiJson.error("too_many_requests", "too many outstanding requests")));
    }

    /** Sends 401 or 403 and returns true when the request's credentials are not accepted. */
    private boolean refused(ChannelHandlerContext ctx, HttpRequest req, String route) {
        Authenticator.Decision d = settings.auth().check(req.headers().get(HttpHeaderNames.AUTHORIZATION));
        if (d == Authenticator.Decision.ALLOW) {
            return false;
        }
        if (d == Authenticator.Decision.FORBIDDEN) {
            send(ctx, req, route, HttpResponseStatus.FORBIDDEN, text("forbidden: this identity may not read flows\n"));
        } else {
            send(
                    ctx,
                    req,
                    route,
                    HttpResponseStatus.UNAUTHORIZED,
                    json(LokiJson.error("unauthorized", "unauthorized: a valid bearer token is required")));
        }
        return true;
    }

    // ---- everything else ----------------------------------------------------------------------

    private final class ApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            // semicolons are ordinary characters in LogQL; only '&' separates parameters
            QueryStringDecoder uri = new QueryStringDecoder(req.uri(), StandardCharsets.UTF_8, true, 64, true);
            String path = uri.path();
            Map<String, String> params = new LinkedHashMap<>();
            uri.parameters().forEach((k, v) -> params.put(k, v.get(0)));
            String route = route(path);
            req.retain();
            // Everything below may block (ClickHouse, the Kubernetes API): never on the event loop.
            try {
                pool.execute(() -> {
                    try {
                        handle(ctx, req, route, path, params);
                    } finally {
                        req.release();
                    }
                });
            } catch (RejectedExecutionException e) {
                req.release();
                tooMany(ctx, req, route);
            }
        }

        private void handle(
                ChannelHandlerContext ctx, FullHttpRequest req, String route, String path, Map<String, String> params) {
            if (route.equals("ready")) {
                boolean ok = ready.getAsBoolean();
                send(
                        ctx,
                        req,
                        route,
                        ok ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                        text(ok ? "ready\n" : "ClickHouse is not reachable\n"));
                return;
            }
            if (refused(ctx, req, route)) {
                return;
            }
            if (!req.method().equals(HttpMethod.GET) && !req.method().equals(HttpMethod.HEAD)) {
                send(ctx, req, route, HttpResponseStatus.METHOD_NOT_ALLOWED, text("method not allowed\n"));
                return;
            }
            switch (route) {
                case "metrics" -> send(ctx, req, route, HttpResponseStatus.OK, text(metrics.exposition()));
                case "config" -> send(ctx, req, route, HttpResponseStatus.OK, yaml(settings.configYaml()));
                case "buildinfo" ->
                    send(ctx, req, route, HttpResponseStatus.OK, json(LokiJson.object(settings.buildInfo())));
                case "query_range" -> query(ctx, req, route, params, null);
                case "label_values" ->
                    query(
                            ctx,
                            req,
                            route,
                            params,
                            path.substring((PREFIX + "label/").length(), path.length() - "/values".length()));
                default -> send(ctx, req, route, HttpResponseStatus.NOT_FOUND, text("404 page not found\n"));
            }
        }

        private void query(
                ChannelHandlerContext ctx,
                FullHttpRequest req,
                String route,
                Map<String, String> params,
                String label) {
            String orgId = req.headers().get("X-Scope-OrgID");
            if (orgId == null || orgId.isBlank()) {
                orgId = settings.defaultTenant();
            }
            if (orgId == null) {
                send(
                        ctx,
                        req,
                        route,
                        HttpResponseStatus.UNAUTHORIZED,
                        json(LokiJson.error("unauthorized", "no org id")));
                return;
            }
            Tenant tenant = settings.tenants().get(orgId.trim());
            if (tenant == null) {
                send(ctx, req, route, HttpResponseStatus.FORBIDDEN, text("unknown tenant\n"));
                return;
            }
            try {
                send(ctx, req, route, HttpResponseStatus.OK, answer(tenant, route, params, label));
            } catch (LokiQueryException e) {
                HttpResponseStatus status = HttpResponseStatus.valueOf(e.status());
                send(
                        ctx,
                        req,
                        route,
                        status,
                        e.status() == 400 ? text(e.getMessage()) : json(LokiJson.error("bad_data", e.getMessage())));
            } catch (ClickHouseException e) {
                send(ctx, req, route, clickhouseStatus(e), json(LokiJson.error("execution", clickhouseMessage(e))));
            } catch (RuntimeException e) {
                LOG.error("query failed", e);
                send(
                        ctx,
                        req,
                        route,
                        HttpResponseStatus.INTERNAL_SERVER_ERROR,
                        json(LokiJson.error("internal", "internal error")));
            }
        }

        private Response answer(Tenant tenant, String route, Map<String, String> params, String label) {
            long t0 = System.nanoTime();
            try {
                if (label != null) {
                    List<String> values = queries.labelValues(tenant, label, params);
                    return json(LokiJson.labelValues(values));
                }
                Result r = queries.queryRange(tenant, params);
                return json(LokiJson.queryResponse(r, (System.nanoTime() - t0) / 1000));
            } finally {
                metrics.queryTime(route, (System.nanoTime() - t0) / 1000);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("connection error", cause);
            ctx.close();
        }
    }

    private static String route(String path) {
        return switch (path) {
            case "/ready" -> "ready";
            case "/metrics" -> "metrics";
            case "/config" -> "config";
            case PREFIX + "status/buildinfo" -> "buildinfo";
            case PREFIX + "query_range" -> "query_range";
            default -> path.startsWith(PREFIX + "label/") && path.endsWith("/values") ? "label_values" : "other";
        };
    }

    private static HttpResponseStatus clickhouseStatus(ClickHouseException e) {
        if (e.timeout()) {
            return HttpResponseStatus.GATEWAY_TIMEOUT;
        }
        return e.httpStatus() == 503
                ? HttpResponseStatus.SERVICE_UNAVAILABLE
                : HttpResponseStatus.INTERNAL_SERVER_ERROR;
    }

    private static String clickhouseMessage(ClickHouseException e) {
        if (e.timeout()) {
            return "context deadline exceeded: the query took longer than the API's limit; narrow the time range or add filters";
        }
        String m = e.getMessage();
        return "ClickHouse: " + (m.length() > 500 ? m.substring(0, 500) + "…" : m);
    }

    // ---- responses ----------------------------------------------------------------------------

    private record Response(byte[] body, String contentType) {
        static Response empty() {
            return new Response(new byte[0], null);
        }
    }

    private static Response json(byte[] body) {
        return new Response(body, "application/json; charset=utf-8");
    }

    private static Response text(String body) {
        return new Response(body.getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8");
    }

    private static Response yaml(String body) {
        return new Response(body.getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8");
    }

    private void send(ChannelHandlerContext ctx, HttpRequest req, String route, HttpResponseStatus status, Response r) {
        metrics.request(route, status.code());
        FullHttpResponse resp = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                status,
                req.method().equals(HttpMethod.HEAD) ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(r.body()));
        if (r.contentType() != null) {
            resp.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
        }
        resp.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, resp.content().readableBytes());
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        if (keepAlive) {
            resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(resp);
        } else {
            ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
