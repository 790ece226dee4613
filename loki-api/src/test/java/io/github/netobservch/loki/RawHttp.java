package io.github.netobservch.loki;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A client that writes the request line exactly as given, unencoded characters included, the way
 * Go's net/http sends the plugin's queries. Java's HTTP clients would re-encode or reject them.
 */
final class RawHttp {

    record Response(int status, Map<String, String> headers, String body) {}

    private RawHttp() {}

    static Response get(int port, String target, Map<String, String> headers) throws Exception {
        return send(port, "GET", target, headers, new byte[0]);
    }

    static Response send(int port, String method, String target, Map<String, String> headers, byte[] body)
            throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(60_000);
            StringBuilder req = new StringBuilder();
            req.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
            req.append("Host: 127.0.0.1:").append(port).append("\r\n");
            req.append("User-Agent: Go-http-client/1.1\r\n");
            req.append("Connection: close\r\n");
            headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
            if (body.length > 0 || method.equals("POST")) {
                req.append("Content-Length: ").append(body.length).append("\r\n");
            }
            req.append("\r\n");
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.UTF_8));
            out.write(body);
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.UTF_8);
            int headEnd = text.indexOf("\r\n\r\n");
            String[] head = text.substring(0, headEnd).split("\r\n");
            int status = Integer.parseInt(head[0].split(" ")[1]);
            Map<String, String> h = new LinkedHashMap<>();
            for (int i = 1; i < head.length; i++) {
                int c = head[i].indexOf(':');
                h.put(
                        head[i].substring(0, c).trim().toLowerCase(Locale.ROOT),
                        head[i].substring(c + 1).trim());
            }
            return new Response(status, h, text.substring(headEnd + 4));
        }
    }
}
