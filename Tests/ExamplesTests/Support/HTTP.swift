import NIOHTTP1
import DBOSTestSupport
import AsyncHTTPClient
import Foundation
import NIOCore

/// Minimal JSON-over-HTTP helpers for the service tests.
enum HTTP {
    struct Reply {
        var status: Int
        var body: String
    }

    static func request(_ method: String, _ url: String, json: String? = nil) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 4 << 20)
        return Reply(status: Int(response.status.code), body: String(buffer: body))
    }

    static func get<T: Decodable>(_ url: String, as type: T.Type) async throws -> T {
        let reply = try await request("GET", url)
        guard reply.status == 200 else { throw TestFailure("GET \(url) answered \(reply.status): \(reply.body)") }
        return try JSONDecoder().decode(T.self, from: Data(reply.body.utf8))
    }
}
