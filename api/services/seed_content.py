"""The demo content: the community's article on its 2021 forum, the people it names, the forum."""
# ruff: noqa: E501 -- the article's paragraphs are kept one per line, as written.

from datetime import UTC, datetime
from typing import Any

TITLE = "The 2021 Community of International Science-Industry Parks Forum successfully held"
PUBLISHED_AT = datetime(2021, 12, 9, tzinfo=UTC)
TAGS = ["forum", "digital economy", "cisip forum 2021"]
PARKS = [
    "peking-university-science-park",
    "taguspark",
    "pakistan-special-technology-zones-authority",
    "the-india-china-technology-transfer-centre",
]

# The article's full text; the photo captions are the paragraphs in italics.
BODY = """\
<p>On December 7th, "The 2020 Community of International Science-Industry Parks Forum" hosted by GEI(Great Wall Enterprise Institute), CASTIP(China ASEAN Science Techonology and Innovation Policy Research Center) and CISIP (Community of international Science-Industry Parks)was successfully held both online and offline in Beijing. The forum brought together more than 60 representatives and experts from over 10 countries such as China, Thailand, Malaysia, Indonesia, Serbia, Pakistan, Hungary, Georgia, Brazil and Egypt. The conference opened two Chinese live broadcast platforms, and a total of 379 people participated in the online broadcast.</p>
<p>With the theme of "Digital economy -- a new driving force for global recovery", the forum released the 2021 Report on the Development of B&amp;R Science Parks. The forum built a communication platform for international science-technology parks and technology enterprises by sharing the experiences of digital economy development and Sci&amp;Tech park construction, and introducing Chinese digital enterprises to the forum guests.</p>
<p>Mr. Wu Wensheng, General Manager of GEI, delivered a speech at the beginning of the forum. Mr.Wu said that the science and technology park is a great innovation in the 20th century, which has well realized the combination of science technology and economy, particularly, scientific and technological entrepreneurship has transformed many new technologies into new products and services, giving birth to many new businesses, new industries and new forms of business. This has become an important driving force for global economic development in the second half of the 20th century and the first 20 years of the 21st century. CISIP is committed to becoming a large platform for the exchange and cooperation of science and technology industrial parks in the world.</p>
<p><em>General Manager of GEI Wu Wensheng was delivering the speech</em></p>
<p>Wang Mingyang, Director of International Business of GEI, shared 2021 Report on the Development of B&amp;R Science Parks, The report analyzes the new trends in the development of science parks, introduces the major events of international science parks in 2020, and then focuses on the digital economy development of "Belt and Road" Sci&amp;tech parks and China's high-tech zones, the main digital economy results in 2020 are summarized and prospected at the end of the report, and events of the CISIP in the past for more than a year of development are also summarized in the report.</p>
<p><em>Director Wang Mingyang was releasing 2021 Report on the Development of B&amp;R Science Parks</em></p>
<p>Amer Ahmed Hashimi, Chairman of Pakistan Special Technology Zone Authority, delivered a keynote speech on "Pakistan's Knowledge Economy Strategy and the establishment of Special Technology Zones". He shared Pakistan's strategy of attaching importance to science and technology development, including policy support, infrastructure construction support, regulatory policies and the establishment of special technology zones, and expressed Pakistan's hope to work with neighboring countries to strengthen regional construction and enhance the overall scientific and technological innovation capacity of the region.</p>
<p><em>Chairman of Pakistan Special Technology Zone Authority, Amer Ahmed Hashimi</em></p>
<p>Balogh András Zoltán, First Secretary for Science and Technology of the Hungarian Embassy in China, shared a keynote speech on "Digital economy enterprise cultivation in Hungary". He introduced Hungary's national digital economy development strategy, mentioned that Hungary has set up the Data Assets Bureau to regulate and manage the development of Hungary's data economy, established an Artificial Intelligence Alliance to vigorously develop the AI industry, and plans to achieve 5G network coverage by 2023.</p>
<p><em>Balogh András Zoltán, First Secretary for Science and Technology of the Hungarian Embassy in China</em></p>
<p>Yang yi, President of South and Southeast Asia New Economy Development Research Institute, delivered a keynote speech entitled "Meta-universe of international Innovation Ecology in the Era of Digital Economy" at the forum. President Yang said that under the background of the digital era of rapid economic development, we need to create a better data infrastructure. In addition, he shared his opinions on “how to achieve better regulation of the digital economy”, and mentioned that the future science and technology park will be more and more open in conjunction with the SAR, also the SAR will be more integrated into the elements of science and technology.</p>
<p><em>Yang yi, President of South and Southeast Asia New Economy Development Research Institute</em></p>
<p>Chinese digital economy enterprises CFMEE, Geek+, MOQI, AIPARK and Waterdrop presented and introduced their enterprises as well as their products.</p>
<p><em>Dr.Chen Dong, Chief Scientist of CFMEE, Bi Kong, Vice President of GEEK+, Zhang Qingdi, R&amp;D director, Responsible person of civil and overseas business of MOQI Techonology, Xiang Yanping, Senior Vice President of AIPARK, Li Jieru, Director of Strategic Operations of Waterdrop</em></p>
<p>The conference also arranged an online roundtable discussion. Song Qi, president of Peking University Science Park said that PKU science Park's digital economy cultivation practice is mainly in five aspects: Technical support condition platform, Digital Application Scenario, Science&amp;Technology Service platform, Talent cultivation program, Scientific and technological investment. Vice president of Office of National Higher Education Science Research and Innovation Policy Council Dr. Kanchana Wanichkorn mentioned that Thai government has been pouring money into science parks as well as the construction of innovation ecology in Thailand, also, Thailand has already started to deploy 5G and artificial intelligence. Dr.Eduardo Baptista Correia, CEO of Taguspark in Portugal, introduced that the Portugal Taguspark focuses on the pharmaceutical industry and software industry, and food, energy, materials and defense are key areas for future development. They are also trying to take advantage of Portugal's Marine industry. Vijay Kant Mishra, deputy chairman of The India-China Technology Transfer Centre, said the park in India had improved operational efficiency by leveraging the rapid development of India's digital economy. India is committed to developing human resources for the digital economy to facilitate the digital transformation of enterprises. At the end, the forum host Zhang Jizhe and four guests exchanged their views on the topic of "suggestions on international scientific and technological cooperation".</p>
<p><em>Song Qi, Vice president of PKU Science&amp;Technology Park Song Qi, Dr. Kanchana Wanichkorn, Vice president of Thai Office of National Higher Education Science Research and Innovation Policy Council, Dr.Eduardo Baptista Correia, CEO of Portugal TagusPark, Vijay kant Mishra, Deputy chairman of The India-China Technology Transfer Centre</em></p>
<p>At the end of the forum, GEI chairman Wang Delu made a summary speech. Chairman Wang said that the epidemic has brought drastic changes to the world, among which the most remarkable one to economy development is the acceleration of the development of digital economy. Meanwhile, the deepening of digital-driven model of development has also made science and technology parks undergoing new changes. Nowadays, new economic vitality zones with new species and new scenes as the core have emerged in Beijing and Shenzhen. This is the new trend of science parks that CISIP has been paying attention to and tracking. He suggested that India, Portugal and other countries could explore and create similar new economic vitality zones, and expressed that CISIP, as an international platform of Science and Technology Parks, is willing to help others to create such vitality zones. He also expressed the hope to cooperate with other countries in Scenario Implementation in the future and strengthen practical cooperation and communication among members of the community.</p>
<p><em>Wang Delu, Chairman of GEI</em></p>
<p>According to the organizer of the forum, 2021 Report on the Development of B&amp;R Science Parks released at the forum will be published on CISIP's official website soon for members to download and read. In the future, CISIP will join hands with its members to continue to contribute to the creation and construction of innovation ecology in international science and technology parks.</p>
"""


ROUNDTABLE = "Suggestions on international scientific and technological cooperation"
REPORT = "2021 Report on the Development of B&R Science Parks"

# In the order the article names them; job titles and organisations as written there.
SPEAKERS: list[dict[str, Any]] = [
    {
        "name": "Wu Wensheng",
        "honorific": "Mr.",
        "job_title": "General Manager",
        "organization": "GEI",
        "country": "CN",
        "role": "speaker",
        "talk_title": None,
    },
    {
        "name": "Wang Mingyang",
        "job_title": "Director of International Business",
        "organization": "GEI",
        "country": "CN",
        "role": "presenter",
        "talk_title": REPORT,
    },
    {
        "name": "Amer Ahmed Hashimi",
        "job_title": "Chairman",
        "organization": "Pakistan Special Technology Zone Authority",
        "country": "PK",
        "park": "pakistan-special-technology-zones-authority",
        "role": "keynote",
        "talk_title": "Pakistan's Knowledge Economy Strategy and the establishment of Special Technology Zones",
    },
    {
        "name": "Balogh András Zoltán",
        "job_title": "First Secretary for Science and Technology",
        "organization": "Hungarian Embassy in China",
        "country": "HU",
        "role": "keynote",
        "talk_title": "Digital economy enterprise cultivation in Hungary",
    },
    {
        "name": "Yang yi",
        "job_title": "President",
        "organization": "South and Southeast Asia New Economy Development Research Institute",
        "role": "keynote",
        "talk_title": "Meta-universe of international Innovation Ecology in the Era of Digital Economy",
    },
    {
        "name": "Chen Dong",
        "honorific": "Dr.",
        "job_title": "Chief Scientist",
        "organization": "CFMEE",
        "country": "CN",
        "role": "presenter",
        "talk_title": None,
    },
    {
        "name": "Bi Kong",
        "job_title": "Vice President",
        "organization": "GEEK+",
        "country": "CN",
        "role": "presenter",
        "talk_title": None,
    },
    {
        "name": "Zhang Qingdi",
        "job_title": "R&D director, Responsible person of civil and overseas business",
        "organization": "MOQI Techonology",
        "country": "CN",
        "role": "presenter",
        "talk_title": None,
    },
    {
        "name": "Xiang Yanping",
        "job_title": "Senior Vice President",
        "organization": "AIPARK",
        "country": "CN",
        "role": "presenter",
        "talk_title": None,
    },
    {
        "name": "Li Jieru",
        "job_title": "Director of Strategic Operations",
        "organization": "Waterdrop",
        "country": "CN",
        "role": "presenter",
        "talk_title": None,
    },
    {
        "name": "Song Qi",
        "job_title": "Vice president",
        "organization": "PKU Science&Technology Park",
        "country": "CN",
        "park": "peking-university-science-park",
        "role": "panelist",
        "talk_title": ROUNDTABLE,
    },
    {
        "name": "Kanchana Wanichkorn",
        "honorific": "Dr.",
        "job_title": "Vice president",
        "organization": "Thai Office of National Higher Education Science Research and Innovation Policy Council",
        "country": "TH",
        "role": "panelist",
        "talk_title": ROUNDTABLE,
    },
    {
        "name": "Eduardo Baptista Correia",
        "honorific": "Dr.",
        "job_title": "CEO",
        "organization": "Portugal TagusPark",
        "country": "PT",
        "park": "taguspark",
        "role": "panelist",
        "talk_title": ROUNDTABLE,
    },
    {
        "name": "Vijay Kant Mishra",
        "job_title": "Deputy chairman",
        "organization": "The India-China Technology Transfer Centre",
        "country": "IN",
        "park": "the-india-china-technology-transfer-centre",
        "role": "panelist",
        "talk_title": ROUNDTABLE,
    },
    {
        "name": "Wang Delu",
        "job_title": "Chairman",
        "organization": "GEI",
        "country": "CN",
        "role": "speaker",
        "talk_title": None,
    },
    {"name": "Zhang Jizhe", "role": "host", "talk_title": ROUNDTABLE},
]


# The forum itself, as an event. Where it stands in the article: "On December 7th, ... hosted
# by GEI, CASTIP and CISIP ... held both online and offline in Beijing", "more than 60
# representatives and experts from over 10 countries", "two Chinese live broadcast
# platforms", "379 people participated in the online broadcast". The article says "2020" in
# its first line and "2021" everywhere else; the forum was held on 7 December 2021.
EVENT_TITLE = "The 2021 Community of International Science-Industry Parks Forum"
EVENT: dict[str, Any] = {
    "title": EVENT_TITLE,
    "theme": "Digital economy -- a new driving force for global recovery",
    "summary": (
        "The community's 2021 forum, held online and offline in Beijing on 7 December 2021: "
        "more than 60 representatives and experts from over 10 countries, two live broadcast "
        "platforms, the release of the 2021 Report on the Development of B&R Science Parks."
    ),
    "body": (
        "<p>Hosted by GEI (Great Wall Enterprise Institute), CASTIP (China ASEAN Science "
        "Techonology and Innovation Policy Research Center) and CISIP (Community of "
        "International Science-Industry Parks), the forum brought together more than 60 "
        "representatives and experts from over 10 countries such as China, Thailand, Malaysia, "
        "Indonesia, Serbia, Pakistan, Hungary, Georgia, Brazil and Egypt.</p>"
        "<p>With the theme of \"Digital economy -- a new driving force for global recovery\", "
        "it released the 2021 Report on the Development of B&amp;R Science Parks and built a "
        "communication platform for international science-technology parks and technology "
        "enterprises by sharing the experiences of digital economy development and Sci&amp;Tech "
        "park construction, and introducing Chinese digital enterprises to the forum guests.</p>"
    ),
    "status": "published",
    # Published with the news item: the article is the only record of the forum.
    "published_at": datetime(2021, 12, 9, tzinfo=UTC),
    "timezone": "Asia/Shanghai",
    "mode": "hybrid",
    "venue": {"city": "Beijing", "country": "CN"},
    # The article names neither platform nor address: reserved example URLs stand in.
    "streams": [
        {"platform": "Chinese live broadcast platform 1",
         "url": "https://live-1.example/cisip-forum-2021", "language": "zh"},
        {"platform": "Chinese live broadcast platform 2",
         "url": "https://live-2.example/cisip-forum-2021", "language": "zh"},
    ],
    "organizers": [
        {"name": "GEI (Great Wall Enterprise Institute)", "role": "host", "url": None},
        {"name": "CASTIP (China ASEAN Science Techonology and Innovation Policy Research "
                 "Center)", "role": "host", "url": None},
        {"name": "CISIP (Community of International Science-Industry Parks)", "role": "host",
         "url": None},
    ],
    # "More than 60" and "over 10": the figures the article gives, as lower bounds.
    "stats": {"participants": 60, "countries": 10, "online_viewers": 379},
    "parks": PARKS,
}

# The agenda in the article's order, with each speaker in their role. The article gives no
# times: these are ILLUSTRATIVE, a plausible one-day layout in Beijing time (UTC+8).
AGENDA: list[dict[str, Any]] = [
    {"type": "opening", "title": "Opening speech", "at": ("09:00", "09:15"),
     "participants": [("Wu Wensheng", "speaker", None)]},
    {"type": "report_release", "title": f"Release of the {REPORT}", "at": ("09:15", "09:40"),
     "participants": [("Wang Mingyang", "presenter", REPORT)]},
    {"type": "keynote", "title": SPEAKERS[2]["talk_title"], "at": ("09:40", "10:10"),
     "participants": [("Amer Ahmed Hashimi", "keynote", SPEAKERS[2]["talk_title"])]},
    {"type": "keynote", "title": SPEAKERS[3]["talk_title"], "at": ("10:10", "10:40"),
     "participants": [("Balogh András Zoltán", "keynote", SPEAKERS[3]["talk_title"])]},
    {"type": "keynote", "title": SPEAKERS[4]["talk_title"], "at": ("10:40", "11:10"),
     "participants": [("Yang yi", "keynote", SPEAKERS[4]["talk_title"])]},
    {"type": "break", "title": "Break", "at": ("11:10", "11:20"), "participants": []},
    {"type": "company_presentation", "title": "CFMEE", "at": ("11:20", "11:40"),
     "participants": [("Chen Dong", "presenter", None)]},
    {"type": "company_presentation", "title": "Geek+", "at": ("11:40", "12:00"),
     "participants": [("Bi Kong", "presenter", None)]},
    {"type": "break", "title": "Lunch", "at": ("12:00", "13:30"), "participants": []},
    {"type": "company_presentation", "title": "MOQI", "at": ("13:30", "13:50"),
     "participants": [("Zhang Qingdi", "presenter", None)]},
    {"type": "company_presentation", "title": "AIPARK", "at": ("13:50", "14:10"),
     "participants": [("Xiang Yanping", "presenter", None)]},
    {"type": "company_presentation", "title": "Waterdrop", "at": ("14:10", "14:30"),
     "participants": [("Li Jieru", "presenter", None)]},
    {"type": "roundtable", "title": f"Online roundtable: {ROUNDTABLE}", "at": ("14:45", "16:00"),
     "room": "Online",
     "participants": [("Zhang Jizhe", "host", ROUNDTABLE),
                      ("Song Qi", "panelist", ROUNDTABLE),
                      ("Kanchana Wanichkorn", "panelist", ROUNDTABLE),
                      ("Eduardo Baptista Correia", "panelist", ROUNDTABLE),
                      ("Vijay Kant Mishra", "panelist", ROUNDTABLE)]},
    {"type": "closing", "title": "Closing summary", "at": ("16:00", "16:20"),
     "participants": [("Wang Delu", "closing", None)]},
]
EVENT_DAY = "2021-12-07"
