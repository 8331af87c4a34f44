// placeholder until the AscentPostgres target lands
