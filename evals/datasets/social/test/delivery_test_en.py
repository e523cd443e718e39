"""Parcel courier posts, English (frozen test). Generated for this project, written one by one.

Brands are invented: Parcelino (@ParcelinoUK), Swiftbox (@SwiftboxHelp).
"""

MAP = "delivery_test_en"
LANGUAGE = "en"
BRANDS = {"@parcelinouk": "Parcelino", "@swiftboxhelp": "Swiftbox"}

# fmt: off
ROWS: dict[str | None, list[tuple]] = {
    "Dispatch & tracking": [
        ("-", "@ParcelinoUK tracking hasn't moved in 6 days. 'in transit' where, the ocean?"),
        ("-", "@ParcelinoUK says out for delivery since monday. it is friday"),
        ("-", "@ParcelinoUK tracking number 'not recognised' 2 days after dispatch"),
        ("-", "@SwiftboxHelp estimated delivery changed 4 times. just tell me the truth"),
        ("-", "@SwiftboxHelp parcel sitting at the hub for a week, no updates"),
        ("-", "@SwiftboxHelp tracking link in the email goes to a 404"),
    ],
    "Delivery day": [
        ("-", "@ParcelinoUK 'sorry we missed you' card. I WAS HOME. doorbell works. camera shows nobody"),
        ("-", "@ParcelinoUK driver threw my parcel over the gate. it had glass in it", {"alt": "Lost or damaged parcels"}),
        ("-", "@ParcelinoUK left my parcel on the doorstep in the rain. soaked"),
        ("-", "@ParcelinoUK delivered to 'neighbour' - which neighbour?? nobody has it"),
        ("-", "@ParcelinoUK driver marked it delivered at 2pm, arrived at 8pm. stayed in all day"),
        ("-", "@ParcelinoUK your driver was so rude to my elderly mum"),
        ("-", "@ParcelinoUK 1 hour slot was 7am-9pm. that's not a slot"),
        ("-", "@ParcelinoUK van blocked our whole street for 20 min while he had a smoke"),
        ("-", "@ParcelinoUK left in the bin. THE BIN."),
        ("-", "@SwiftboxHelp driver didnt even knock, just left a card and drove off"),
        ("-", "@SwiftboxHelp photo 'proof of delivery' is of someone else's door"),
        ("-", "@SwiftboxHelp parcel left in plain sight on a busy road"),
        ("-", "@SwiftboxHelp missed the time slot by 5 hours"),
    ],
    "Lost or damaged parcels": [
        ("-", "@ParcelinoUK marked delivered, never arrived. who do I talk to"),
        ("-", "@ParcelinoUK box arrived crushed, lamp in 3 pieces"),
        ("-", "@ParcelinoUK parcel opened and resealed, headphones missing"),
        ("-", "@SwiftboxHelp my parcel is lost. 3 weeks. seller says its your problem"),
        ("-", "@SwiftboxHelp claim for the damaged tv rejected because i 'signed for it'"),
        ("-", "@SwiftboxHelp 2 of 3 boxes arrived. the 3rd one 'does not exist' apparently"),
        ("-", "@SwiftboxHelp birthday present lost in your depot. thanks"),
        ("-", "@SwiftboxHelp package came soaked and the book inside is ruined"),
        ("-", "@SwiftboxHelp lost parcel claim needs 'proof of value'. the seller sent you the invoice"),
    ],
    "Returns & redelivery": [
        ("-", "@ParcelinoUK redelivery booked 3 times, never came"),
        ("-", "@ParcelinoUK the 'nearest' pickup locker is 12 miles away"),
        ("-", "@SwiftboxHelp return label wont generate on your site"),
        ("-", "@SwiftboxHelp depot opening hours are 9-5 mon-fri. i work 9-5 mon-fri"),
        ("-", "@SwiftboxHelp dropped off my return, tracking says you never got it"),
    ],
    "Customer service": [
        ("-", "@ParcelinoUK your chat bot just loops. no human anywhere"),
        ("-", "@ParcelinoUK 3 complaints, 3 automated replies, 0 answers"),
        ("-", "@ParcelinoUK phone line says 'use the website'. website says 'call us'"),
        ("-", "@ParcelinoUK promised compensation, never paid. 2 months"),
        ("-", "@ParcelinoUK 50 min on hold then cut off"),
        ("-", "@SwiftboxHelp emailed 5 times about my missing parcel, not one reply", {"alt": "Lost or damaged parcels"}),
        ("-", "@SwiftboxHelp customer service is a black hole"),
        ("-", "@SwiftboxHelp agent told me to contact the seller, seller told me to contact you. round we go"),
        ("-", "@SwiftboxHelp DMs ignored for 9 days"),
        ("-", "@SwiftboxHelp complaint closed as 'resolved'. it was not resolved"),
        ("-", "@SwiftboxHelp your callback never happened. twice"),
        ("-", "@SwiftboxHelp 40 minutes on hold to be told they can't see my parcel"),
    ],
    None: [
        ("-", "@ParcelinoUK worst courier in britain"),
        ("-", "@ParcelinoUK honestly shocking"),
        ("-", "@SwiftboxHelp you lot are a joke"),
        ("-", "@SwiftboxHelp every single time with you. every time."),
        ("0", "@ParcelinoUK do you deliver on sundays?"),
        ("0", "@ParcelinoUK can i change the address after it's shipped", {"stage": "Returns & redelivery"}),
        ("0", "@SwiftboxHelp what size boxes fit in your lockers", {"stage": "Returns & redelivery"}),
        ("0", "@SwiftboxHelp are you hiring drivers in manchester"),
        ("0", "@SwiftboxHelp how long does a return take to reach the seller usually", {"stage": "Returns & redelivery"}),
        ("+", "@ParcelinoUK driver today was lovely, carried it up 4 floors", {"stage": "Delivery day"}),
        ("+", "@ParcelinoUK arrived a day early, nice", {"stage": "Dispatch & tracking"}),
        ("+", "@SwiftboxHelp live map tracking is brilliant", {"stage": "Dispatch & tracking"}),
        ("+", "@SwiftboxHelp return sorted in 2 min at the locker, easy", {"stage": "Returns & redelivery"}),
        ("+", "@SwiftboxHelp thanks for sorting my claim so quickly", {"stage": "Lost or damaged parcels"}),
        ("+", "@ParcelinoUK cheers guys"),
    ],
}
