import AscentCore
import AscentServices
import Testing

@Suite struct PlayerTokenTests {
    let secret = Array("operator-secret".utf8)

    @Test func aSignedTokenVerifiesAndNamesItsPlayer() throws {
        for name in ["p", "pl", "pla", "player-1001", "ünïcødé", String(repeating: "x", count: 64)] {
            let text = PlayerToken(player: PlayerID(name), expiresAt: 2_000_000_000).signed(secret: secret)
            #expect(try PlayerToken.verify(text, secret: secret, nowSeconds: 1_900_000_000).player == PlayerID(name))
        }
    }

    @Test func forgedExpiredAndMalformedTokensAreRefused() {
        let text = PlayerToken(player: "alice", expiresAt: 2_000_000_000).signed(secret: secret)
        #expect(throws: PlayerToken.Refusal.badSignature) { try PlayerToken.verify(text, secret: Array("other".utf8), nowSeconds: 0) }
        #expect(throws: PlayerToken.Refusal.expired) { try PlayerToken.verify(text, secret: secret, nowSeconds: 2_000_000_000) }
        // Another player's name with alice's signature.
        let parts = text.split(separator: ".")
        let bob = PlayerToken(player: "bob", expiresAt: 2_000_000_000).signed(secret: secret).split(separator: ".")
        #expect(throws: PlayerToken.Refusal.badSignature) { try PlayerToken.verify("\(bob[0]).\(parts[1]).\(parts[2])", secret: secret, nowSeconds: 0) }
        // A longer life with alice's signature.
        #expect(throws: PlayerToken.Refusal.badSignature) { try PlayerToken.verify("\(parts[0]).2100000000.\(parts[2])", secret: secret, nowSeconds: 0) }
        for bad in ["", "a.b", "a.b.c.d", "!!.1.\(parts[2])", "\(parts[0]).x.\(parts[2])", "\(parts[0]).1.abc", String(repeating: "a", count: 600)] {
            #expect(throws: PlayerToken.Refusal.malformed) { try PlayerToken.verify(bad, secret: secret, nowSeconds: 0) }
        }
    }
}
