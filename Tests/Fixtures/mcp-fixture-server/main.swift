// A small MCP server for the DBOSAgents tests, built on the MCP SDK: over stdio, or with
// `--http PORT` (0: any free port, printed as `LISTENING <port>`) over Streamable HTTP at `/mcp`
// (the SDK's stateful transport, answering requests as server-sent events; one session per
// initialize). Every tool call is appended to the file named by FIXTURE_CALL_LOG
// (`<tool>\t<arguments>`) before it runs, so tests can count the calls that really happened.
//
// Tools: lookup {key} (text), broken_json (declares JSON output, returns malformed JSON),
// crash_once (exits mid-call unless FIXTURE_MARKER exists; creates it), always_crash (exits
// mid-call), fail (an isError result), hang (never answers; logs its process ID).
// FIXTURE_START_DELAY_MS: over stdio, wait that long before answering anything (a server slow
// to start).
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import MCP

let environment = ProcessInfo.processInfo.environment
let callLog = environment["FIXTURE_CALL_LOG"]
let marker = environment["FIXTURE_MARKER"]

func log(_ line: String) {
    guard let callLog else { return }
    let descriptor = open(callLog, O_WRONLY | O_CREAT | O_APPEND, 0o644)   // one append per call
    guard descriptor >= 0 else { return }
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    close(descriptor)
}

func schema(_ properties: [String: Value] = [:]) -> Value {
    .object(["type": "object", "properties": .object(properties), "required": .array(properties.keys.sorted().map { .string($0) })])
}

let tools = [
    Tool(name: "lookup", description: "The value stored under a key.", inputSchema: schema(["key": .object(["type": "string"])])),
    Tool(name: "broken_json", description: "Answers JSON (it is malformed).", inputSchema: schema(),
         outputSchema: .object(["type": "object"])),
    Tool(name: "crash_once", description: "Exits mid-call the first time.", inputSchema: schema()),
    Tool(name: "always_crash", description: "Exits mid-call.", inputSchema: schema()),
    Tool(name: "fail", description: "Reports an error.", inputSchema: schema()),
    Tool(name: "hang", description: "Never answers.", inputSchema: schema()),
]

func text(_ value: String, isError: Bool = false) -> CallTool.Result {
    CallTool.Result(content: [.text(text: value, annotations: nil, _meta: nil)], isError: isError)
}

/// A server with the fixture's tools.
func makeServer() async -> Server {
    let server = Server(name: "fixture", version: "1.0.0", capabilities: .init(tools: .init(listChanged: false)))
    await server.withMethodHandler(ListTools.self) { _ in ListTools.Result(tools: tools) }
    await server.withMethodHandler(CallTool.self) { parameters in
        let arguments = parameters.arguments ?? [:]
        let key = arguments["key"]?.stringValue ?? ""
        log("\(parameters.name)\t\(parameters.name == "hang" ? String(getpid()) : key)")
        switch parameters.name {
        case "lookup": return text("value-of-\(key)")
        case "broken_json": return text("{\"temperature\": 21,")
        case "crash_once":
            if let marker, FileManager.default.fileExists(atPath: marker) { return text("survived") }
            if let marker { _ = FileManager.default.createFile(atPath: marker, contents: nil) }
            exit(3)
        case "always_crash": exit(4)
        case "fail": return text("the fixture refuses", isError: true)
        case "hang":
            while true { try await Task.sleep(for: .seconds(3600)) }
        default: return text("no tool \(parameters.name)", isError: true)
        }
    }
    return server
}

/// The HTTP sessions: a transport (and its server) per initialize.
actor Sessions {
    private var transports: [String: StatefulHTTPServerTransport] = [:]

    func handle(_ request: MCP.HTTPRequest) async -> MCP.HTTPResponse {
        if let id = request.header(HTTPHeaderName.sessionID) {
            guard let transport = transports[id] else {
                return .error(statusCode: 404, .invalidRequest("no session \(id)"))
            }
            let response = await transport.handleRequest(request)
            if request.method == "DELETE" { transports[id] = nil }
            return response
        }
        let transport = StatefulHTTPServerTransport()
        do {
            try await makeServer().start(transport: transport)
        } catch {
            return .error(statusCode: 500, .internalError("\(error)"))
        }
        let response = await transport.handleRequest(request)
        if let id = response.headers[HTTPHeaderName.sessionID] { transports[id] = transport }
        return response
    }
}

if let index = CommandLine.arguments.firstIndex(of: "--http"), index + 1 < CommandLine.arguments.count,
   let port = Int(CommandLine.arguments[index + 1]) {
    let sessions = Sessions()
    let router = Router()
    router.on("mcp", method: .post) { request, context in try await relay(request, to: sessions) }
    router.on("mcp", method: .get) { request, context in try await relay(request, to: sessions) }
    router.on("mcp", method: .delete) { request, context in try await relay(request, to: sessions) }
    var logger = Logger(label: "mcp-fixture-http")
    logger.logLevel = .critical
    let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)),
                          onServerRunning: { channel in
                              print("LISTENING \(channel.localAddress?.port ?? 0)")
                              fflush(nil)
                          }, logger: logger)
    try await app.runService()
} else {
    if let delay = environment["FIXTURE_START_DELAY_MS"].flatMap(Int.init) {
        try await Task.sleep(for: .milliseconds(delay))
    }
    let server = await makeServer()
    try await server.start(transport: StdioTransport())
    await server.waitUntilCompleted()
}

/// One HTTP request through the sessions, as Hummingbird request and response.
func relay(_ request: Request, to sessions: Sessions) async throws -> Response {
    var headers: [String: String] = [:]
    for field in request.headers { headers[field.name.canonicalName] = field.value }
    let body = try await request.body.collect(upTo: 1 << 20)
    let answer = await sessions.handle(MCP.HTTPRequest(method: request.method.rawValue, headers: headers,
                                                       body: body.readableBytes > 0 ? Data(body.readableBytesView) : nil,
                                                       path: request.uri.path))
    var fields = HTTPFields()
    for (name, value) in answer.headers { if let name = HTTPField.Name(name) { fields[name] = value } }
    let status = HTTPTypes.HTTPResponse.Status(code: answer.statusCode)
    if case .stream(let events, _) = answer {
        return Response(status: status, headers: fields, body: ResponseBody { writer in
            for try await event in events { try await writer.write(ByteBuffer(bytes: event)) }
            try await writer.finish(nil)
        })
    }
    return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.bodyData ?? Data())))
}
