import Foundation
import Tracing

/// The trace context of whoever started a workflow, kept in its row so that every execution of
/// it (here, after a crash, on another worker after a dequeue, after a resume or a fork)
/// continues the same trace.
///
/// Stored where DBOS Transact 3.4 keeps it: in `workflow_status.attributes`, a JSON object, under
/// `dbos.otelContext`, as the headers the application's instrument writes (with swift-otel's
/// W3C propagator, `traceparent` and `tracestate`, as DBOS Python's `PropagateOtelContext`).
/// Nothing is stored when no instrument is bootstrapped or there is no span to carry.
enum TraceCarrier {
    static let attributeKey = "dbos.otelContext"

    /// The `attributes` JSON carrying `context`, or nil when there is nothing to carry.
    static func attributes(carrying context: ServiceContext? = ServiceContext.current) -> String? {
        guard let context else { return nil }
        var headers: [String: String] = [:]
        InstrumentationSystem.instrument.inject(context, into: &headers, using: HeadersInjector())
        guard !headers.isEmpty,
              let data = try? JSONSerialization.data(withJSONObject: [attributeKey: headers], options: [.sortedKeys])
        else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// The context stored in an `attributes` JSON, as the application's instrument reads it;
    /// nil when there is none. Never throws: `attributes` can be written by anyone (other SDKs,
    /// `update_workflow_attributes`), so a value of the wrong shape is ignored, not fatal.
    static func context(fromAttributes attributes: String?) -> ServiceContext? {
        guard let attributes,
              let object = try? JSONSerialization.jsonObject(with: Data(attributes.utf8)) as? [String: Any],
              let carried = object[attributeKey] as? [String: Any]
        else { return nil }
        let headers = carried.compactMapValues { $0 as? String }
        guard !headers.isEmpty else { return nil }
        var context = ServiceContext.topLevel
        InstrumentationSystem.instrument.extract(headers, into: &context, using: HeadersExtractor())
        return context
    }
}

private struct HeadersInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
        carrier[key] = value
    }
}

private struct HeadersExtractor: Extractor {
    func extract(key: String, from carrier: [String: String]) -> String? {
        carrier[key]
    }
}
