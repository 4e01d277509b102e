import DBOSTestSupport
import Foundation

/// The parts of OTLP/JSON export requests (`ExportTraceServiceRequest`,
/// `ExportMetricsServiceRequest`) the tests read. Protobuf's JSON mapping leaves out empty
/// fields, so every collection is optional.
enum OTLPJSON {
    struct TracesRequest: Decodable {
        var resourceSpans: [ResourceSpans]?
    }

    struct ResourceSpans: Decodable {
        var resource: Resource?
        var scopeSpans: [ScopeSpans]?
    }

    struct ScopeSpans: Decodable {
        var spans: [Span]?
    }

    struct Resource: Decodable {
        var attributes: [KeyValue]?
    }

    struct Span: Decodable {
        var traceId: String
        var spanId: String
        var parentSpanId: String?
        var name: String
        var attributes: [KeyValue]?

        /// The string or integer value of attribute `key`.
        func attribute(_ key: String) -> String? { attributes?.value(of: key) }
    }

    struct KeyValue: Decodable {
        var key: String
        var value: AnyValue
    }

    /// A string, or an integer (a JSON string, as protobuf's mapping writes 64-bit integers).
    struct AnyValue: Decodable {
        var stringValue: String?
        var intValue: String?
    }

    struct MetricsRequest: Decodable {
        var resourceMetrics: [ResourceMetrics]?
    }

    struct ResourceMetrics: Decodable {
        var resource: Resource?
        var scopeMetrics: [ScopeMetrics]?
    }

    struct ScopeMetrics: Decodable {
        var metrics: [Metric]?
    }

    /// A metric: a counter is a `sum`, a timer a `histogram`.
    struct Metric: Decodable {
        var name: String
        var sum: Points?
        var histogram: Points?

        /// The attributes of each data point.
        var pointAttributes: [[KeyValue]] { ((sum ?? histogram)?.dataPoints ?? []).map { $0.attributes ?? [] } }
    }

    struct Points: Decodable {
        var dataPoints: [DataPoint]?
    }

    struct DataPoint: Decodable {
        var attributes: [KeyValue]?
    }

    /// The spans of every traces request, with their resource's attributes, IDs in hex.
    static func spans(in bodies: [Data]) throws -> [(resource: [KeyValue], span: Span)] {
        try bodies.flatMap { body in
            try JSONDecoder().decode(TracesRequest.self, from: body).resourceSpans ?? []
        }.flatMap { resource in
            (resource.scopeSpans ?? []).flatMap { $0.spans ?? [] }.map { span in
                var span = span
                span.traceId = hex(span.traceId)
                span.spanId = hex(span.spanId)
                span.parentSpanId = span.parentSpanId.map(hex)
                return (resource.resource?.attributes ?? [], span)
            }
        }
    }

    /// The metrics of every metrics request, by name (the last report of each).
    static func metrics(in bodies: [Data]) throws -> [String: Metric] {
        let all = try bodies.flatMap { body in
            try JSONDecoder().decode(MetricsRequest.self, from: body).resourceMetrics ?? []
        }.flatMap { ($0.scopeMetrics ?? []).flatMap { $0.metrics ?? [] } }
        return Dictionary(all.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
    }

    /// A trace or span ID in lowercase hex. OTLP/JSON writes IDs in hex; protobuf's generic
    /// JSON mapping (swift-otel 1.6's encoder) writes them in base64: both are accepted.
    static func hex(_ id: String) -> String {
        if id.count == 32 || id.count == 16, id.allSatisfy(\.isHexDigit) { return id.lowercased() }
        guard let bytes = Data(base64Encoded: id) else { return id }
        return bytes.map { String(format: "%02x", $0) }.joined()
    }
}

extension [OTLPJSON.KeyValue] {
    /// The string or integer value of attribute `key`.
    func value(of key: String) -> String? {
        first { $0.key == key }.flatMap { $0.value.stringValue ?? $0.value.intValue }
    }
}
