import PostgresTestSupport
import Testing

/// The test parser itself, so that a metrics test cannot pass on text Prometheus would reject.
struct PrometheusTextTests {
    /// Comments, types, labels with escapes, special values and timestamps all parse.
    @Test func parsesWellFormedText() throws {
        let text = """
            # HELP requests_total Requests served.
            # TYPE requests_total counter
            # a free comment
            requests_total{route="ready",code="503"} 7
            requests_total 1.5e3 1700000000000

            latency_seconds_bucket{le="+Inf",path="a\\"b\\\\c\\n"} +Inf
            latency_seconds_sum{} -Inf
            ratio NaN

            """
        let samples = try PrometheusText.parse(text)
        #expect(samples.count == 5)
        #expect(samples[0] == .init(name: "requests_total", labels: ["route": "ready", "code": "503"], value: 7))
        #expect(samples[1] == .init(name: "requests_total", labels: [:], value: 1500))
        #expect(samples[2].labels == ["le": "+Inf", "path": "a\"b\\c\n"])
        #expect(samples[2].value == .infinity)
        #expect(samples[3].value == -.infinity)
        #expect(samples[4].value.isNaN)
    }

    /// Each malformed line is rejected, with the number of the line at fault.
    @Test(arguments: [
        "requests_total",
        "requests_total abc",
        "requests_total inf",
        "requests_total 1 2 3",
        "requests_total 1 soon",
        "9requests 1",
        "requests-total 1",
        "requests_total{route=ready} 1",
        "requests_total{route=\"ready\" 1",
        "requests_total{route=\"ready\"}1",
        "requests_total{route=\"a\",route=\"b\"} 1",
        "requests_total{route=\"\\t\"} 1",
        "# TYPE requests_total counters",
        "# HELP 9bad help",
        " requests_total 1",
    ])
    func rejectsMalformedLines(line: String) {
        #expect {
            try PrometheusText.parse("# TYPE ok gauge\nok 1\n\(line)\n")
        } throws: { error in
            (error as? PrometheusText.ParseError)?.line == 3
        }
    }
}
