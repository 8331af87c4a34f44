import AscentCore
import Foundation

/// The subset of JSON Schema (2020-12) that schemas/ uses: type, const, enum, properties, required,
/// additionalProperties: false, minimum, maximum, minLength, maxLength, pattern. A keyword it does not
/// know makes validation fail, so a schema cannot silently use something unchecked.
struct SchemaValidator {
    static let annotations: Set<String> = ["$schema", "$id", "title", "description"]
    static let keywords: Set<String> = ["type", "const", "enum", "properties", "required", "additionalProperties",
                                        "minimum", "maximum", "minLength", "maxLength", "pattern",
                                        "items", "minItems", "maxItems"]

    /// Problems of `value` against `schema`, each with the JSON path; empty when valid.
    static func problems(_ value: JSONValue, against schema: JSONValue, path: String = "$") -> [String] {
        guard case .object(let rules) = schema else { return ["\(path): schema is not an object"] }
        var problems: [String] = []
        for key in rules.keys where !annotations.contains(key) && !keywords.contains(key) {
            problems.append("\(path): unsupported schema keyword \(key)")
        }
        if case .string(let type)? = rules["type"], !has(value, type: type) {
            problems.append("\(path): expected \(type), got \(value)")
            return problems
        }
        if let constant = rules["const"], constant != value { problems.append("\(path): must equal \(constant)") }
        if case .array(let options)? = rules["enum"], !options.contains(value) { problems.append("\(path): not one of \(options)") }
        if case .integer(let minimum)? = rules["minimum"], case .integer(let number) = value, number < minimum {
            problems.append("\(path): \(number) is below \(minimum)")
        }
        if case .integer(let maximum)? = rules["maximum"], case .integer(let number) = value, number > maximum {
            problems.append("\(path): \(number) is above \(maximum)")
        }
        if case .string(let text) = value {
            if case .integer(let minimum)? = rules["minLength"], text.count < minimum { problems.append("\(path): shorter than \(minimum)") }
            if case .integer(let maximum)? = rules["maxLength"], text.count > maximum { problems.append("\(path): longer than \(maximum)") }
            if case .string(let pattern)? = rules["pattern"] {
                let regex = try! Regex(pattern)
                if text.firstMatch(of: regex) == nil { problems.append("\(path): '\(text)' does not match \(pattern)") }
            }
        }
        if case .array(let elements) = value {
            if case .integer(let minimum)? = rules["minItems"], elements.count < minimum { problems.append("\(path): fewer than \(minimum) items") }
            if case .integer(let maximum)? = rules["maxItems"], elements.count > maximum { problems.append("\(path): more than \(maximum) items") }
            if let items = rules["items"] {
                for (index, element) in elements.enumerated() {
                    problems += SchemaValidator.problems(element, against: items, path: "\(path)[\(index)]")
                }
            }
        }
        if case .object(let members) = value {
            let properties: [String: JSONValue]
            if case .object(let declared)? = rules["properties"] { properties = declared } else { properties = [:] }
            if case .array(let required)? = rules["required"] {
                for case .string(let name) in required where members[name] == nil { problems.append("\(path): missing \(name)") }
            }
            for (name, member) in members {
                if let property = properties[name] {
                    problems += SchemaValidator.problems(member, against: property, path: "\(path).\(name)")
                } else if rules["additionalProperties"] == .bool(false) {
                    problems.append("\(path): unexpected member \(name)")
                }
            }
        }
        return problems
    }

    static func has(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("null", .null),
             ("integer", .integer), ("number", .integer), ("number", .double): return true
        default: return false
        }
    }

    /// The repository's schemas/ folder, found from this source file's location.
    static let schemasFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("schemas")

    /// The schema schemas/<folder>/<name>.v<version>.json, parsed.
    static func schema(_ folder: String, _ name: String, version: Int) throws -> JSONValue {
        let url = schemasFolder.appendingPathComponent(folder).appendingPathComponent("\(name).v\(version).json")
        return try JSONValue.parse(Array(try Data(contentsOf: url)))
    }

    /// The type names that have a schema file in schemas/<folder>.
    static func schemaNames(_ folder: String) throws -> Set<String> {
        let files = try FileManager.default.contentsOfDirectory(atPath: schemasFolder.appendingPathComponent(folder).path)
        return Set(files.filter { $0.hasSuffix(".json") }.map { String($0.prefix { $0 != "." }) })
    }
}
