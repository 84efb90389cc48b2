from examples.platform_demo.app import main

main()
