import Hummingbird
import Logging
import NIOCore
import Prometheus

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension OperationsServer {
    /// The Content-Type of Prometheus' text exposition format, version 0.0.4.
    static let prometheusContentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Builds the router for the operations endpoints; unknown paths answer 404.
    ///
    /// - Parameters:
    ///   - endpoints: The readiness and status answers to serve.
    ///   - registry: The Prometheus registry that `/metrics` emits.
    public static func router(
        endpoints: OperationsEndpoints,
        registry: PrometheusCollectorRegistry
    ) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.get("health") { _, _ in
            response(.ok, contentType: "text/plain; charset=utf-8", body: Array("ok\n".utf8))
        }
        router.get("ready") { _, _ in
            let readiness = await endpoints.readiness()
            return response(
                readiness.ready ? .ok : .serviceUnavailable,
                contentType: "application/json",
                body: try readiness.jsonBytes()
            )
        }
        router.get("metrics") { _, _ in
            var body: [UInt8] = []
            registry.emit(into: &body)
            return response(.ok, contentType: prometheusContentType, body: body)
        }
        router.get("status") { _, context in
            do {
                return response(.ok, contentType: "application/json", body: try await endpoints.status())
            } catch {
                // Only the type: the error's text may quote rows or events, which are patient data.
                context.logger.warning(
                    "Status unavailable",
                    metadata: [LoggingKey.errorType: "\(String(reflecting: type(of: error)))"]
                )
                return response(
                    .serviceUnavailable,
                    contentType: "application/json",
                    body: Array(#"{"error":"status unavailable"}"#.utf8)
                )
            }
        }
        return router
    }

    private static func response(_ status: HTTPResponse.Status, contentType: String, body: [UInt8]) -> Response {
        Response(
            status: status,
            headers: [.contentType: contentType],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body))
        )
    }
}

extension Readiness {
    /// Encodes as `{"ready":…,"reasons":[…]}`, keys sorted so the body is byte-for-byte stable.
    func jsonBytes() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self))
    }
}
