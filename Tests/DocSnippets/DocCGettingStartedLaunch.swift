import DBOS

func gettingStartedLaunch() async throws {
    // snippet: getting-started-launch
    let dbos = try DBOS(config: .init(name: "trips"))    // ./trips.sqlite
    try dbos.register($bookTrip, bookTripByHand)
    try await dbos.launch()

    // Run a workflow and wait for its result.
    let booking = try await bookTrip("LH400", 420)

    // Or start it and keep a handle. The ID makes the call idempotent:
    // starting "trip-7" again returns the same workflow.
    let handle = try await dbos.start(bookTripByHand, "LH400", 420,
                                      options: .init(workflowID: "trip-7"))
    print(booking, try await handle.result(), try await handle.status().state)

    await dbos.shutdown()
    // end snippet
}
