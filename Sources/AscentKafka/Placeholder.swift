// placeholder until the AscentKafka target lands
