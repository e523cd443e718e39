"""Phone and broadband provider posts, English (dev). Generated for this project, written one by one.

Brands are invented: Teleno (@TelenoCares), Wavely (@WavelyHelp).
"""

MAP = "telecom_dev_en"
LANGUAGE = "en"
BRANDS = {"@telenocares": "Teleno", "@wavelyhelp": "Wavely"}

# fmt: off
ROWS: dict[str | None, list[tuple]] = {
    "Choosing a plan": [
        ("-", "@TelenoCares the 'unlimited' plan throttles after 20GB. that's not unlimited, that's a lie"),
        ("-", "@TelenoCares new customers get the phone for $0, loyal customers of 9 yrs get nothing. nice"),
        ("-", "@WavelyHelp your website says 500mbps in my area, sales says 'not available'. which one"),
        ("-", "@WavelyHelp signed up for the promo price, first bill shows the full price. bait and switch", {"alt": "Bills & charges"}),
    ],
    "Getting connected": [
        ("-", "@TelenoCares new sim activated 3 days ago and still no service. no calls no data nothing"),
        ("-", "@TelenoCares porting my number has been 'in progress' for a week. i have no phone number"),
        ("-", "@WavelyHelp tech never showed up for the install. took the day off for nothing"),
        ("-", "@WavelyHelp router arrived with no power cable lol"),
        ("-", "@WavelyHelp 2nd install appointment missed. #wavelyfail"),
        ("-", "@TelenoCares esim setup fails with 'profile cannot be downloaded' every time"),
    ],
    "Network & coverage": [
        ("-", "@TelenoCares no signal in my own kitchen. downtown. in 2024."),
        ("-", "@TelenoCares calls drop every time I drive past the mall"),
        ("-", "@TelenoCares data so slow a text takes a minute to send"),
        ("-", "@TelenoCares is there an outage in Leeds? nothing works since 8am"),
        ("-", "@TelenoCares 1 bar at home, 0 bars at work. what am i paying for"),
        ("-", "@TelenoCares 4G icon showing but nothing loads. 3rd day"),
        ("-", "@TelenoCares another evening, another dead network. #TelenoDown"),
        ("-", "@WavelyHelp internet down AGAIN. 3rd time this week. i work from home"),
        ("-", "@WavelyHelp paying for 300mbps, getting 12. speedtest screenshot attached"),
        ("-", "@WavelyHelp wifi drops every night at 9 like clockwork"),
        ("-", "@WavelyHelp outage for 14 hours and the status page says all good"),
        ("-", "@WavelyHelp my zoom calls freeze every 5 min. fix your network"),
        ("-", "@WavelyHelp broadband dead since the storm, 4 days now"),
        ("-", "@WavelyHelp lag spikes every evening, unplayable"),
    ],
    "Bills & charges": [
        ("-", "@TelenoCares charged £45 roaming for 2 days in France. I had the EU add-on"),
        ("-", "@TelenoCares bill went up £8 with no warning. 'annual price rise' my foot"),
        ("-", "@TelenoCares you charged me twice this month and the app shows one payment"),
        ("-", "@TelenoCares why am I paying for a phone I paid off in june"),
        ("-", "@TelenoCares premium SMS charges i never signed up for. refund pls"),
        ("-", "@WavelyHelp charged a 'late fee' on autopay. your autopay. your late fee"),
        ("-", "@WavelyHelp router rental fee on my bill for a router i returned", {"alt": "Support & cancelling"}),
        ("-", "@WavelyHelp final bill after cancelling is higher than a normal month??", {"alt": "Support & cancelling"}),
    ],
    "Support & cancelling": [
        ("-", "@TelenoCares 70 min in the chat queue and then it closed for the night"),
        ("-", "@TelenoCares store staff told me to call, call centre told me to go to the store"),
        ("-", "@TelenoCares tried to cancel and got transferred 5 times. are you serious"),
        ("-", "@TelenoCares rep promised a callback tomorrow. that was last wednesday"),
        ("-", "@WavelyHelp 2 hrs on the phone to cancel. they kept trying to sell me tv"),
        ("-", "@WavelyHelp complaint reference, 3 weeks, no reply"),
        ("-", "@WavelyHelp your agents hang up when you ask for a supervisor"),
        ("-", "@WavelyHelp moving house and you want a £200 exit fee because you dont serve my new street"),
        ("-", "@WavelyHelp chatbot cannot understand the word 'cancel'. convenient"),
        ("-", "@WavelyHelp 45 min on hold just to be told the system is down, call back later"),
        ("-", "@TelenoCares customer service has gotten so bad, used to be good"),
        ("-", "@WavelyHelp outage for days and support just says 'restart your router'", {"alt": "Network & coverage"}),
    ],
    None: [
        ("-", "@TelenoCares worst provider in the country"),
        ("-", "@TelenoCares you people are useless"),
        ("-", "@WavelyHelp honestly just awful"),
        ("-", "@WavelyHelp leaving you the second my contract ends #byewavely"),
        ("-", "@TelenoCares thanks for nothing as usual"),
        ("0", "@TelenoCares do you do family plans?"),
        ("0", "@TelenoCares when does the new iphone go on sale with you", {"stage": "Choosing a plan"}),
        ("0", "@TelenoCares is wifi calling supported on pixel"),
        ("0", "@WavelyHelp is fibre coming to my postcode soon", {"stage": "Choosing a plan"}),
        ("0", "@WavelyHelp how do i change my wifi password"),
        ("0", "@WavelyHelp what's the number for business accounts"),
        ("0", "@TelenoCares hi can i pay my bill at the shop", {"stage": "Bills & charges"}),
        ("0", "@WavelyHelp moving in august, how much notice do you need", {"stage": "Support & cancelling"}),
        ("+", "@TelenoCares signal at the festival was perfect, nice one", {"stage": "Network & coverage"}),
        ("+", "@TelenoCares Amir in the Oxford St store sorted everything in 10 minutes. legend", {"stage": "Support & cancelling"}),
        ("+", "@TelenoCares love the new plan, half the price of my old one", {"stage": "Choosing a plan"}),
        ("+", "@WavelyHelp install guy was fast and tidy, thank you", {"stage": "Getting connected"}),
        ("+", "@WavelyHelp speeds have been great since the upgrade", {"stage": "Network & coverage"}),
        ("+", "@WavelyHelp thanks for the quick reply!", {"stage": "Support & cancelling"}),
        ("+", "@TelenoCares you're alright you know"),
    ],
}
