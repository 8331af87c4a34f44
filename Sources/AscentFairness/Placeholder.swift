// placeholder until the AscentFairness target lands
