import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The console's response shapes: HTML pages, JSON documents and plain text.
enum Responses {
    /// Pages load scripts and styles from the console itself only (inline `style` attributes
    /// position the timeline bars).
    static let contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:"

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[HTTPField.Name("Content-Security-Policy")!] = contentSecurityPolicy
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try encoder.encode(value)
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func text(_ text: String, contentType: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// The value of the request header `name`, if present.
    static func header(_ name: String, of request: Request) -> String? {
        HTTPField.Name(name).flatMap { request.headers[$0] }
    }

    /// snake_case keys, ISO 8601 times with milliseconds, sorted keys.
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(HTML.time(date))
        }
        return encoder
    }
}

/// A request's query string as lists of values per name (`+` is a space, `%XX` decoded).
enum QueryString {
    static func parse(_ query: String?) -> [String: [String]] {
        var result: [String: [String]] = [:]
        for pair in (query ?? "").split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                let spaced = text.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            let name = decode(parts[0])
            result[name, default: []].append(parts.count > 1 ? decode(parts[1]) : "")
        }
        return result
    }

    /// `name=value&...`, percent-encoded.
    static func make(_ items: [(String, String)]) -> String {
        items.map { "\(HTML.query($0.0))=\(HTML.query($0.1))" }.joined(separator: "&")
    }
}
