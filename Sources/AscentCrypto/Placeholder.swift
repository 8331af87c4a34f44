// placeholder until the AscentCrypto target lands
