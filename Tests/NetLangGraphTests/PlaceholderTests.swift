import Testing

@Test("the test target builds") func targetBuilds() { #expect(1 + 1 == 2) }
