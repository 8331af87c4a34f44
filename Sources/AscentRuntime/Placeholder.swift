// filled by the runtime work
