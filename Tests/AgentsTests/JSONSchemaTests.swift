import DBOS
import DBOSAgents
import Testing

/// Tool input schemas derived from the arguments' Codable types.
struct JSONSchemaTests {
    struct Address: Codable { var city: String; var zip: Int? }
    struct Booking: Codable { var guest: String; var nights: Int; var price: Double; var vip: Bool; var tags: [String]; var address: Address }

    @Test func aSchemaIsDerivedFromTheArgumentsType() throws {
        let schema = JSONSchema.derive(from: Booking.self)
        let expected = try JSONValue(parsing: """
            {"type":"object","required":["guest","nights","price","vip","tags","address"],"properties":{
              "guest":{"type":"string"},"nights":{"type":"integer"},"price":{"type":"number"},"vip":{"type":"boolean"},
              "tags":{"type":"array","items":{"type":"string"}},
              "address":{"type":"object","required":["city"],"properties":{"city":{"type":"string"},"zip":{"type":"integer"}}}}}
            """)
        #expect(schema == expected)
    }

    @Test func aDeclaredSchemaWins() {
        let declared: JSONValue = .object(["type": .string("object"), "properties": .object([:])])
        let tool = AgentTool.function("t", description: "", schema: declared) { (_: Booking) in "x" }
        #expect(tool.spec.inputSchema == declared)
    }
}
