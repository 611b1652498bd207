import ProjectorCLI

await ProjectorCLI.main()
